"""The kernel versions the model knows, one package each (v4.18 "classic", v6.18 "modern")."""
