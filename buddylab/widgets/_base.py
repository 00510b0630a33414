"""A widget = an ipywidgets box + a matplotlib Figure redrawn into an Output."""

import ipywidgets as W


class FigureWidget:
    """Holds ``.fig`` (a matplotlib Figure, not registered with pyplot), ``.out``
    (the Output it is shown in), ``.label`` and ``.box`` (the whole widget)."""

    def _new_figure(self, figsize):
        from matplotlib.figure import Figure
        self.fig = Figure(figsize=figsize)
        self.out = W.Output()

    def _show(self):
        """Display the figure in the Output, only inside a kernel (tests read .fig)."""
        try:
            from IPython import get_ipython
        except ImportError:         # pragma: no cover
            return
        ip = get_ipython()
        if ip is None or getattr(ip, "kernel", None) is None:
            return
        from IPython.display import display
        with self.out:
            self.out.clear_output(wait=True)
            display(self.fig)

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)
