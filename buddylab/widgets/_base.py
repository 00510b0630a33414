"""A widget = an ipywidgets box + a matplotlib Figure redrawn into an Output."""

import ipywidgets as W


class BoxWidget:
    """Holds ``.box`` (the whole widget, an ipywidgets container) and displays it."""

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)


#: how many layouts a widget keeps (`FigureWidget._fit_layout`)
LAYOUTS_KEPT = 64


class FigureWidget(BoxWidget):
    """Holds ``.fig`` (a matplotlib Figure, not registered with pyplot), ``.out``
    (the Output it is shown in), ``.label`` and ``.box`` (the whole widget)."""

    def _new_figure(self, figsize):
        from matplotlib.figure import Figure
        self.fig = Figure(figsize=figsize)
        self.out = W.Output()

    def _fit_layout(self):
        """``fig.tight_layout()``, computed once for each set of texts around the Axes.

        tight_layout() measures every text of the figure, about half of a small widget's
        redraw.  The margins it finds depend on the texts around each Axes: the tick labels
        shown, the axis labels and the legend (which may sit below its Axes).  The margins
        found for those texts are kept (up to `LAYOUTS_KEPT` sets) and set again, without
        measuring, when the same texts come back: a stepper moving back and forth, an
        explorer alternating allocate and free.  Titles are one centred line each and are
        left out: a title wider than its Axes may reach past the figure's edge, which the
        notebook still shows (it crops a figure to what is drawn)."""
        key = tuple(_margin_texts(ax) for ax in self.fig.axes)
        layouts = self.__dict__.setdefault("_layouts", {})
        if key in layouts:
            self.fig.subplots_adjust(**layouts[key])
            return
        self.fig.tight_layout()
        if len(layouts) >= LAYOUTS_KEPT:
            layouts.clear()
        p = self.fig.subplotpars
        layouts[key] = dict(left=p.left, right=p.right, bottom=p.bottom, top=p.top,
                            wspace=p.wspace, hspace=p.hspace)

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


def _margin_texts(ax):
    """The texts around `ax` that tight_layout() makes room for (see `_fit_layout`)."""
    if not ax.axison:
        return None
    out = []
    for axis, lim in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
        lo, hi = sorted(lim)
        locs = axis.get_majorticklocs()
        texts = axis.get_major_formatter().format_ticks(locs)
        out.append(tuple(t for x, t in zip(locs, texts) if lo <= x <= hi))
        out.append(axis.get_label_text())
    legend = ax.get_legend()
    out.append(None if legend is None else tuple(t.get_text() for t in legend.get_texts()))
    return tuple(out)


def clear_axes(ax):
    """Empty `ax` for the next redraw as ``ax.clear()`` does, but keep its Tick objects.

    ``ax.clear()`` throws the ticks away and the next set_xticks() and tight_layout() build
    them again, Text by Text: most of a small figure's redraw (cProfile of the stepper).  Here
    every artist a plot function adds is removed and what it sets (titles, axis labels, tick
    locators and formatters, limits by autoscaling, the axis switched off) goes back to
    matplotlib's defaults, so the plot function then draws what it draws on a cleared Axes.
    """
    from matplotlib import ticker
    for artist in (*ax.patches, *ax.collections, *ax.images, *ax.texts, *ax.lines,
                   *ax.artists, *ax.tables):
        artist.remove()
    ax.containers.clear()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    for loc in ("left", "center", "right"):
        ax.set_title("", loc=loc)
    ax.set_xlabel("")
    ax.set_ylabel("")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(ticker.AutoLocator())
        axis.set_major_formatter(ticker.ScalarFormatter())
        axis.set_minor_locator(ticker.NullLocator())
        axis.set_minor_formatter(ticker.NullFormatter())
    ax.relim()
    ax.set_autoscale_on(True)
    ax.set_axis_on()


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
