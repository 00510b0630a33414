"""A widget = an ipywidgets box + a matplotlib Figure redrawn into an Output."""

import ipywidgets as W


class BoxWidget:
    """Holds ``.box`` (the whole widget, an ipywidgets container) and displays it."""

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)


class FigureWidget(BoxWidget):
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


def add_step_controls(owner, n, description="event", interval=800):
    """Give `owner` a slider, previous/next buttons and a Play linked to it.

    Sets ``owner.slider``, ``.prev``, ``.next``, ``.play``, ``.label`` and
    ``owner.controls`` (an HBox); moving calls ``owner.draw(i)``.  Shared by every
    stepper so they behave alike (previous/next stop at the slider's ends).
    """
    import ipywidgets as W

    def move(delta):
        owner.slider.value = max(0, min(owner.slider.max, owner.slider.value + delta))

    owner.slider = W.IntSlider(value=0, min=0, max=n - 1, description=description,
                               continuous_update=False)
    owner.prev = W.Button(description="previous", icon="step-backward")
    owner.next = W.Button(description="next", icon="step-forward")
    owner.play = W.Play(value=0, min=0, max=n - 1, interval=interval, description="play")
    W.link((owner.play, "value"), (owner.slider, "value"))
    owner.label = W.Label()
    owner.prev.on_click(lambda _: move(-1))
    owner.next.on_click(lambda _: move(+1))
    owner.slider.observe(lambda ch: owner.draw(ch["new"]), names="value")
    owner.controls = W.HBox([owner.play, owner.prev, owner.next, owner.slider])
