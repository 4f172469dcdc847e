"""The design editor's form: its widgets, their layout, and the HTML of its panels.

:class:`EditorForm` only builds the widgets; :class:`socialkit.editor.widget.DesignEditor`
fills them from the design and reacts to them. Every piece of user text put into HTML
goes through :mod:`socialkit.base.fragments`, which escapes it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import ipywidgets as w
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from socialkit._compat import figure_dicts
from socialkit.analysis.advice import strategic_warnings
from socialkit.analysis.checklist import checklist
from socialkit.base.fragments import Fragment, badge, bullets, escape, join, note, table
from socialkit.base.frames import per_identity
from socialkit.contract.schema import Portfolio
from socialkit.contract.vocab import (
    DIRECTIONS,
    IN_CLASS_REASONS,
    LEARNING_TYPES,
    STATUS,
    TIMINGS,
    TOOL_TYPES,
)
from socialkit.editor.draft import DesignDraft
from socialkit.errors import SocialkitError, ValidationError, format_issues

__all__ = [
    "READINESS",
    "UNDECIDED",
    "EditorForm",
    "checklist_html",
    "classed",
    "figure_output",
    "held",
    "options",
    "pairs",
    "recommendation_html",
    "save_done",
    "save_refused",
    "warnings_html",
]

#: How many gaps per question, and warnings, the panels list before counting the rest.
SHOWN = 8

UNDECIDED = "not decided"
#: How a recommended tool's availability reads in the tool choices.
READINESS = {
    "available": "available",
    "in-suite": "in a suite the organisation uses",
    "external": "external",
    "to-introduce": "not at the organisation yet",
}
_STEPS = (
    "1 Objectives",
    "2 Activities",
    "3 Timing",
    "4 Direction",
    "5 Tool",
    "6 Benefit",
)
_DIRECTION_HELP = {
    "one-to-many": "the trainer pushes to learners",
    "many-to-one": "learners share back to the trainer",
    "many-to-many": "learners share with each other",
}
_STYLE = """<style>
.sk-editor .sk-table {border-collapse: collapse; font-size: 12px; margin: 2px 0 8px}
.sk-editor .sk-table th, .sk-editor .sk-table td {border-bottom: 1px solid #d9dee5;
  padding: 2px 6px; text-align: left; vertical-align: top}
.sk-editor .sk-badge {border-radius: 8px; padding: 0 6px; font-size: 11px;
  background: #f1f3f6; color: #5f6b7a}
.sk-editor .sk-badge-ok {background: #e3f4ec; color: #1a7f5a}
.sk-editor .sk-badge-warning {background: #fff4db; color: #8a5a00}
.sk-editor .sk-badge-failed {background: #fde7e5; color: #b3261e}
.sk-editor .sk-note {padding: 4px 8px; border-radius: 4px; margin: 4px 0; background: #e8f1fb}
.sk-editor .sk-note-ok {background: #e3f4ec} .sk-editor .sk-note-warning {background: #fff4db}
.sk-editor .sk-note-failed {background: #fde7e5}
.sk-editor .sk-list {margin: 2px 0 6px; padding-left: 18px; font-size: 12px}
.sk-editor .sk-empty {color: #5f6b7a; font-size: 12px}
</style>"""


def options(values: tuple[str, ...]) -> list[tuple[str, str]]:
    """Choices of a vocabulary, "not decided" (blank) first."""
    return [(UNDECIDED, ""), *((v, v) for v in values)]


def classed(widget: w.Widget, name: str) -> w.Widget:
    """The widget, with a CSS class that pages and tests find it by."""
    widget.add_class(name)
    return widget


def figure_output(fig: go.Figure | dict) -> dict:
    """A plotly figure as a notebook output, drawn by JupyterLab's plotly renderer.

    ``fig`` is a figure, or plotly's JSON of one (``data`` and ``layout``) as the charts'
    ``*_figure_json`` functions give it without building the figure.
    """
    if isinstance(fig, dict):
        spec = fig
    else:  # the figure's own dicts, encoded once (plotly's to_json would deep-copy them)
        data, layout = figure_dicts(fig)
        spec = json.loads(pio.json.to_json_plotly({"data": data, "layout": layout}))
    return {
        "output_type": "display_data",
        "data": {
            "application/vnd.plotly.v1+json": {
                "data": spec.get("data", []),
                "layout": spec.get("layout", {}),
                "config": {"displaylogo": False, "responsive": True},
            },
            "text/plain": f"<Figure: {spec.get('layout', {}).get('title', {}).get('text', '')}>",
        },
        "metadata": {},
    }


class EditorForm:
    """The editor's widgets, laid out one tab per strategic question.

    Parameters
    ----------
    draft : socialkit.editor.draft.DesignDraft
        The design the form shows (its organisations fill a drop-down).
    """

    def __init__(self, draft: DesignDraft) -> None:
        self.draft = d = draft
        wide = w.Layout(width="98%")
        self.course = classed(w.Dropdown(description="Course", options=d.course_ids), "sk-course")
        self.new_id = classed(w.Text(placeholder="new course id"), "sk-new-course-id")
        self.new_title = classed(w.Text(placeholder="its title"), "sk-new-course-title")
        self.new_button = classed(w.Button(description="Start course"), "sk-new-course")

        # 1 course and objectives
        self.fields = {
            "title": w.Text(description="Title", continuous_update=False, layout=wide),
            "organisation": w.Dropdown(
                description="Organisation",
                options=[("(not set: default)", ""), *((o, o) for o in d.organisations)],
            ),
            "audience": w.Text(description="Audience", continuous_update=False),
            "owner": w.Text(description="Owner", continuous_update=False),
            "formal_moment": w.Text(
                description="Formal moment",
                placeholder="e.g. 2-day workshop",
                continuous_update=False,
            ),
            "status": w.Dropdown(description="Status", options=options(STATUS.values)),
        }
        for name, field in self.fields.items():
            field.add_class(f"sk-course-{name}")
            field.style.description_width = "110px"
        self.objectives = classed(w.Select(rows=5, layout=wide), "sk-objectives")
        self.statement = classed(
            w.Textarea(description="Statement", continuous_update=False, layout=wide),
            "sk-objective-statement",
        )
        self.new_statement = classed(
            w.Text(placeholder="what learners will be able to do", layout=wide),
            "sk-new-objective",
        )
        self.add_objective = classed(w.Button(description="Add objective"), "sk-add-objective")
        self.del_objective = classed(w.Button(description="Delete objective"), "sk-del-objective")

        # 2-6 activities: one list shared by every step
        self.activities = classed(w.Select(rows=8, layout=wide), "sk-activities")
        buttons = {
            "add": ("Add activity", "sk-add-activity"),
            "delete": ("Delete", "sk-delete-activity"),
            "up": ("Move up", "sk-move-up"),
            "down": ("Move down", "sk-move-down"),
        }
        self.buttons = {k: classed(w.Button(description=t), c) for k, (t, c) in buttons.items()}
        self.act = {
            "title": w.Text(description="Title", continuous_update=False, layout=wide),
            "objective_id": w.Dropdown(description="Objective"),
            "learning_type": w.Dropdown(
                description="Learning type", options=options(LEARNING_TYPES.values)
            ),
            "minutes": w.Text(description="Minutes", continuous_update=False),
            "timing": w.ToggleButtons(options=options(TIMINGS.values)),
            "in_class_reason": w.Dropdown(
                description="Why in class", options=options(IN_CLASS_REASONS.values)
            ),
            "direction": w.ToggleButtons(
                options=options(DIRECTIONS.values),
                tooltips=[UNDECIDED, *(_DIRECTION_HELP[v] for v in DIRECTIONS.values)],
            ),
            "tool_type": w.Dropdown(description="Tool type", options=options(TOOL_TYPES.values)),
            "tool": w.Dropdown(description="Tool"),
            "learner_benefit": w.Textarea(
                description="Benefit",
                continuous_update=False,
                layout=wide,
                placeholder="how this activity is presented to learners: what is in it for them",
            ),
        }
        for name, field in self.act.items():
            field.add_class(f"sk-activity-{name.replace('_', '-')}")
            field.style.description_width = "110px"
        self.recommendations = classed(w.HTML(), "sk-recommendations")

        def step(*children: w.Widget) -> w.VBox:
            return w.VBox(list(children))

        self.steps = classed(
            w.Tab(
                children=[
                    step(
                        w.HTML("<b>The course</b>"),
                        *self.fields.values(),
                        w.HTML("<b>Its learning objectives</b>"),
                        self.objectives,
                        self.statement,
                        w.HBox([self.new_statement, self.add_objective]),
                        self.del_objective,
                    ),
                    step(
                        w.HTML("<b>The activities, in the order learners meet them</b>"),
                        self.activities,
                        w.HBox(list(self.buttons.values())),
                        self.act["title"],
                        self.act["objective_id"],
                        self.act["learning_type"],
                        self.act["minutes"],
                    ),
                    step(
                        w.HTML(
                            "<b>Before, during or after the formal moment?</b> Keep in "
                            "class only what needs it, and say why."
                        ),
                        self.activities,
                        self.act["timing"],
                        self.act["in_class_reason"],
                    ),
                    step(
                        w.HTML(
                            "<b>Who shares with whom?</b> one-to-many: trainer to learners;"
                            " many-to-one: learners back to the trainer; many-to-many: "
                            "learners with each other."
                        ),
                        self.activities,
                        self.act["direction"],
                    ),
                    step(
                        w.HTML(
                            "<b>First the type of tool, then the tool.</b> Recommended "
                            "tools are marked ★, best first."
                        ),
                        self.activities,
                        self.act["tool_type"],
                        self.act["tool"],
                        self.recommendations,
                    ),
                    step(
                        w.HTML("<b>How is the benefit presented to learners?</b>"),
                        self.activities,
                        self.act["learner_benefit"],
                    ),
                ],
                titles=_STEPS,
            ),
            "sk-steps",
        )
        self.swimlane = classed(w.Output(), "sk-swimlane")
        self.matrix = classed(w.Output(), "sk-matrix")
        self.checks = classed(w.HTML(), "sk-checklist")
        self.warnings = classed(w.HTML(), "sk-warnings")
        self.problems = classed(w.HTML(), "sk-problems")
        self.save_button = classed(w.Button(description="Save", button_style="primary"), "sk-save")
        self.reload_button = classed(w.Button(description="Reload from disk"), "sk-reload")
        self.message = classed(w.HTML(), "sk-message")
        self.widget = classed(
            w.VBox(
                [
                    w.HTML(_STYLE + f"<b>Design editor</b> — {escape(str(d.path))}"),
                    w.HBox([self.course, self.new_id, self.new_title, self.new_button]),
                    self.steps,
                    self.problems,
                    w.HBox([self.save_button, self.reload_button]),
                    self.message,
                    self.swimlane,
                    self.matrix,
                    w.HBox(
                        [self.checks, self.warnings],
                        layout=w.Layout(width="100%", justify_content="space-between"),
                    ),
                ]
            ),
            "sk-editor",
        )

    def _repr_mimebundle_(self, **kwargs) -> dict:
        return self.widget._repr_mimebundle_(**kwargs)


def recommendation_html(draft: DesignDraft, mine: pd.DataFrame | None, values: dict) -> Fragment:
    """The ranked tools for one activity, with the organisation's context."""
    if not values:
        return Fragment("")
    if not values.get("tool_type"):
        return note("Choose a tool type to see the recommended tools for this activity.")
    org = draft.live()[0].courses["organisation"].iloc[0]
    platforms, blocked = _contexts(draft.catalog.organisations)[org]
    context = join("Organisation ", badge(org), ": platforms ", platforms, "; blocked ", blocked)
    shown = ["rank", "tool", "availability", "reasons", "advantage"]
    # the shown columns only, as plain lists: a whole frame's records cost more than the rows
    columns = [] if mine is None else [mine[c].tolist() for c in shown]
    rows = [dict(zip(shown, r, strict=True)) for r in zip(*columns, strict=True)]
    return join(
        muted_line(context),
        table(
            rows,
            shown,
            {
                "rank": "Rank",
                "tool": "Tool",
                "availability": "For these learners",
                "reasons": "Why",
                "advantage": "What it has that the chosen tool lacks",
            },
            formats={"advantage": lambda v: "" if v is None or v != v else v},
            empty="No tool of the catalog fits this type, direction and timing without being "
            "blocked.",
        ),
    )


@per_identity
def _contexts(organisations: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Each organisation's platforms and blocked domains as the recommendations word
    them, once per context: indexing the frame by organisation on every change costs
    most of the recommendations' text."""
    names = organisations["organisation"].tolist()
    platforms, blocked = organisations["platforms"], organisations["blocked_domains"]
    words = zip(names, platforms.tolist(), blocked.tolist(), strict=True)
    return {o: (", ".join(p) or "none", ", ".join(b) or "nothing") for o, p, b in words}


def pairs(field: w.Widget) -> list[tuple[str, str]]:
    """A selection widget's options as (label, value) pairs."""
    return [o if isinstance(o, tuple) else (o, o) for o in field.options]


def muted_line(text: object) -> Fragment:
    """A paragraph in the muted style (text escaped, fragments kept)."""
    return join(Fragment('<p class="sk-empty">'), text, Fragment("</p>"))


def _capped(items: list, empty: str | None = None) -> Fragment:
    """A bullet list of the first :data:`SHOWN` items, and how many more there are."""
    more = len(items) - SHOWN
    shown = items[:SHOWN] + ([f"… and {more} more"] if more > 0 else [])
    return bullets(shown, empty=empty)


def checklist_html(portfolio: Portfolio) -> Fragment:
    """The six questions of one course, each with its gaps (or ok)."""
    rows = checklist(portfolio)
    items = [
        join(
            badge("ok", "ok") if ok else badge(f"{n} gap(s)", "warning"),
            " ",
            f"{q}. {text}",
            _capped(list(gaps)),
        )
        for q, text, ok, n, gaps in zip(
            rows["question"], rows["text"], rows["ok"], rows["n_gaps"], rows["gaps"], strict=True
        )
    ]
    return join(Fragment("<b>The six questions</b>"), bullets(items))


def warnings_html(portfolio: Portfolio) -> Fragment:
    """The strategic warnings of one course."""
    messages = strategic_warnings(portfolio)["message"].tolist()
    title = f"Strategic warnings ({len(messages)})" if messages else "Strategic warnings"
    return join(
        Fragment("<b>"), title, Fragment("</b>"), _capped(messages, "No strategic warning.")
    )


@contextmanager
def held(*widgets: w.Widget) -> Iterator[None]:
    """Send each widget's changes made inside as one message, when the block ends.

    Setting a drop-down's options, then its value, then whether it is disabled sends
    three messages; each wakes the kernel's output thread, which then competes with the
    update for the interpreter (about 1 ms a message, as much as the analysis of a
    change's own cell). Held, they go as one.
    """
    with ExitStack() as stack:
        for widget in widgets:
            stack.enter_context(widget.hold_sync())
        yield


def save_refused(exc: Exception) -> Fragment:
    """Why a save wrote nothing: the design's problems (the first 20), a refusal (changed
    on disk, busy, a cell a workbook cannot hold), or a fault of socialkit's own."""
    if isinstance(exc, ValidationError):
        lines = format_issues(exc.issues)
        return note(
            join(
                f"Not saved: {len(lines)} problem(s) to fix first. Your edits are still here.",
                bullets(lines[:20]),
            ),
            "failed",
        )
    if isinstance(exc, SocialkitError):
        return note(f"Not saved: {exc}", "failed")
    kept = "Nothing was written; your edits are still here."
    return note(f"Not saved: unexpected error ({type(exc).__name__}: {exc}). {kept}", "failed")


def save_done(path: str | os.PathLike[str], risks: list[str]) -> Fragment:
    """What a save wrote, and the cells saved as they are that start like a formula."""
    saved = f"Saved {str(path)!r} at {time.strftime('%H:%M:%S')}."
    if not risks:
        return note(saved, "ok")
    more = [f"... and {len(risks) - 8} more"] if len(risks) > 8 else []
    return note(
        join(
            f"{saved} {len(risks)} cell(s) start like a formula, which Excel runs when it "
            "opens the CSV file; they were saved as they are:",
            bullets(risks[:8] + more),
        ),
        "warning",
    )
