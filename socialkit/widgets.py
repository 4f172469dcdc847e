"""The design editor: a JupyterLab form that walks the six questions of the method.

``DesignEditor("data/")`` opens a portfolio (a CSV folder or an ``.xlsx`` workbook; a
new one when the folder is empty) and shows one tab per question: the course and its
objectives, the activities in order, their timing, their direction, their tool (with
ranked recommendations and their reasons), and the benefit told to learners. Every
change redraws the activity swimlane and the timing × direction grid and updates the
checklist and warnings, without re-running a cell. **Save** validates the whole
portfolio and writes it back atomically; it refuses, keeping the form as it is, when
the design is invalid or the files changed on disk since they were read.

The editing itself lives in :class:`socialkit.editing.DesignDraft`; this module only
binds it to ipywidgets. Every piece of user text shown in HTML is escaped.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable

import ipywidgets as w
import plotly.io as pio

from .advice import strategic_warnings
from .analysis import checklist
from .charts import matrix_figure, swimlane_figure
from .editing import DesignDraft
from .errors import SocialkitError, ValidationError, format_issues
from .fragments import Fragment, badge, bullets, escape, join, note, table
from .tools import recommend_tools
from .vocab import DIRECTIONS, IN_CLASS_REASONS, LEARNING_TYPES, STATUS, TIMINGS, TOOL_TYPES

__all__ = ["DesignEditor"]

_UNDECIDED = "not decided"
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


def _options(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(_UNDECIDED, ""), *((v, v) for v in values)]


def _classed(widget: w.Widget, name: str) -> w.Widget:
    widget.add_class(name)
    return widget


def _figure_output(fig) -> dict:
    """A plotly figure as a notebook output, drawn by JupyterLab's plotly renderer."""
    spec = json.loads(pio.to_json(fig, validate=False))
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


class DesignEditor:
    """Edit a portfolio's course designs in JupyterLab, one strategic question per tab.

    Parameters
    ----------
    path : path-like
        A CSV folder or an ``.xlsx`` workbook; a missing path or an empty folder starts
        a new portfolio.
    course_id : str, optional
        The course to open first; the first course when omitted.

    Attributes
    ----------
    draft : socialkit.editing.DesignDraft
        The working copy being edited (use it to script edits).
    widget : ipywidgets.VBox
        The form; displaying the editor displays it.
    update_ms : list of float
        Milliseconds each feedback update took in the kernel, most recent last.

    Examples
    --------
    >>> editor = DesignEditor("data/", course_id="it-risk")  # doctest: +SKIP
    >>> editor  # doctest: +SKIP
    """

    def __init__(self, path: str | os.PathLike[str], course_id: str | None = None) -> None:
        self.draft = DesignDraft(path, course_id)
        self.update_ms: list[float] = []
        self._loading = False
        self._reload_armed = False
        self._shown: tuple | None = None
        self._build()
        self._load_course()

    def _repr_mimebundle_(self, **kwargs) -> dict:
        return self.widget._repr_mimebundle_(**kwargs)

    def refresh(self) -> None:
        """Fill the form again from :attr:`draft` (after edits made in code)."""
        self._load_course()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        d = self.draft
        wide = w.Layout(width="98%")
        self.course = _classed(w.Dropdown(description="Course", options=d.course_ids), "sk-course")
        self.new_id = _classed(w.Text(placeholder="new course id"), "sk-new-course-id")
        self.new_title = _classed(w.Text(placeholder="its title"), "sk-new-course-title")
        self.new_button = _classed(w.Button(description="Start course"), "sk-new-course")

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
            "status": w.Dropdown(description="Status", options=_options(STATUS.values)),
        }
        for name, field in self.fields.items():
            field.add_class(f"sk-course-{name}")
            field.style.description_width = "110px"
        self.objectives = _classed(w.Select(rows=5, layout=wide), "sk-objectives")
        self.statement = _classed(
            w.Textarea(description="Statement", continuous_update=False, layout=wide),
            "sk-objective-statement",
        )
        self.new_statement = _classed(
            w.Text(placeholder="what learners will be able to do", layout=wide),
            "sk-new-objective",
        )
        self.add_objective = _classed(w.Button(description="Add objective"), "sk-add-objective")
        self.del_objective = _classed(w.Button(description="Delete objective"), "sk-del-objective")

        # 2-6 activities: one list shared by every step
        self.activities = _classed(w.Select(rows=8, layout=wide), "sk-activities")
        buttons = {
            "add": ("Add activity", "sk-add-activity"),
            "delete": ("Delete", "sk-delete-activity"),
            "up": ("Move up", "sk-move-up"),
            "down": ("Move down", "sk-move-down"),
        }
        self.buttons = {k: _classed(w.Button(description=t), c) for k, (t, c) in buttons.items()}
        self.act = {
            "title": w.Text(description="Title", continuous_update=False, layout=wide),
            "objective_id": w.Dropdown(description="Objective"),
            "learning_type": w.Dropdown(
                description="Learning type", options=_options(LEARNING_TYPES.values)
            ),
            "minutes": w.Text(description="Minutes", continuous_update=False),
            "timing": w.ToggleButtons(options=_options(TIMINGS.values)),
            "in_class_reason": w.Dropdown(
                description="Why in class", options=_options(IN_CLASS_REASONS.values)
            ),
            "direction": w.ToggleButtons(
                options=_options(DIRECTIONS.values),
                tooltips=[_UNDECIDED, *(_DIRECTION_HELP[v] for v in DIRECTIONS.values)],
            ),
            "tool_type": w.Dropdown(description="Tool type", options=_options(TOOL_TYPES.values)),
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
        self.recommendations = _classed(w.HTML(), "sk-recommendations")

        def step(*children: w.Widget) -> w.VBox:
            return w.VBox(list(children))

        self.steps = _classed(
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
        self.swimlane = _classed(w.Output(), "sk-swimlane")
        self.matrix = _classed(w.Output(), "sk-matrix")
        self.checks = _classed(w.HTML(), "sk-checklist")
        self.warnings = _classed(w.HTML(), "sk-warnings")
        self.problems = _classed(w.HTML(), "sk-problems")
        self.save_button = _classed(
            w.Button(description="Save", button_style="primary", icon="save"), "sk-save"
        )
        self.reload_button = _classed(w.Button(description="Reload from disk"), "sk-reload")
        self.message = _classed(w.HTML(), "sk-message")
        self.widget = _classed(
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
        self._bind()

    # ------------------------------------------------------------------ events
    def _bind(self) -> None:
        self.course.observe(self._on_course, "value")
        self.new_button.on_click(self._guard(self._on_new_course))
        for name, field in self.fields.items():
            field.observe(self._guard(self._edit_course(name)), "value")
        self.objectives.observe(self._on_objective, "value")
        self.statement.observe(self._guard(self._on_statement), "value")
        self.add_objective.on_click(self._guard(self._on_add_objective))
        self.del_objective.on_click(self._guard(self._on_del_objective))
        self.activities.observe(self._on_activity, "value")
        self.buttons["add"].on_click(self._guard(self._on_add))
        self.buttons["delete"].on_click(self._guard(self._on_delete))
        self.buttons["up"].on_click(self._guard(lambda _: self._move(-1)))
        self.buttons["down"].on_click(self._guard(lambda _: self._move(+1)))
        for name, field in self.act.items():
            field.observe(self._guard(self._edit_activity(name)), "value")
        self.save_button.on_click(self._guard(self._on_save))
        self.reload_button.on_click(self._guard(self._on_reload))

    def _guard(self, handler: Callable) -> Callable:
        """Run a handler unless the form is being filled; show refused edits, never raise."""

        def run(arg=None) -> None:
            if self._loading:
                return
            try:
                handler(arg)
            except SocialkitError as exc:
                self._say(str(exc), "failed")
                self._load_course()  # put the form back as the draft is

        return run

    def _say(self, text: object, kind: str = "info") -> None:
        self.message.value = str(note(text, kind))

    def _edit_course(self, name: str) -> Callable:
        def edit(change) -> None:
            self.draft.set_course(**{name: change["new"]})
            self._after_edit()

        return edit

    def _edit_activity(self, name: str) -> Callable:
        def edit(change) -> None:
            current = self.activities.value
            if not current:
                return
            self.draft.set_activity(current, **{name: change["new"]})
            if name == "timing":
                self.act["in_class_reason"].disabled = change["new"] != "during"
            self._after_edit(refill=name in ("title", "tool_type", "direction"))

        return edit

    def _on_course(self, change) -> None:
        if self._loading or not change["new"]:
            return
        self.draft.select(change["new"])
        self._load_course()

    def _on_new_course(self, _) -> None:
        self.draft.new_course(self.new_id.value, self.new_title.value)
        self.new_id.value = self.new_title.value = ""
        self._say(f"Started course {self.draft.course_id!r}: add its objectives first.", "ok")
        self._load_course()

    def _on_objective(self, change) -> None:
        if self._loading:
            return
        self._fill_objective()

    def _on_statement(self, change) -> None:
        if self.objectives.value:
            self.draft.set_objective(self.objectives.value, change["new"])
            self._after_edit(refill=True)

    def _on_add_objective(self, _) -> None:
        new = self.draft.add_objective(self.new_statement.value)
        self.new_statement.value = ""
        self._load_course(objective=new)

    def _on_del_objective(self, _) -> None:
        if self.objectives.value:
            self.draft.remove_objective(self.objectives.value)
            self._load_course()

    def _on_activity(self, change) -> None:
        if self._loading:
            return
        self._fill_activity()
        self._refresh()

    def _on_add(self, _) -> None:
        new = self.draft.add_activity()
        self._load_course(activity=new)
        self.steps.selected_index = 1

    def _on_delete(self, _) -> None:
        if self.activities.value:
            self.draft.remove_activity(self.activities.value)
            self._load_course()

    def _move(self, by: int) -> None:
        if self.activities.value:
            self.draft.move_activity(self.activities.value, by)
            self._load_course(activity=self.activities.value)

    def _on_save(self, _) -> None:
        try:
            path = self.draft.save()
        except ValidationError as exc:
            lines = format_issues(exc.issues)
            self.message.value = str(
                note(
                    join(
                        f"Not saved: {len(lines)} problem(s) to fix first. Your edits "
                        "are still here.",
                        bullets(lines[:20]),
                    ),
                    "failed",
                )
            )
            return
        self.save_button.description = "Save"
        self._say(f"Saved {str(path)!r} at {time.strftime('%H:%M:%S')}.", "ok")

    def _on_reload(self, _) -> None:
        if self.draft.dirty and not self._reload_armed:
            self._reload_armed = True
            self._say(
                "Reloading drops your unsaved edits. Click Reload again to confirm.", "warning"
            )
            return
        self._reload_armed = False
        self.draft.reload()
        self._load_course()
        self._say("Reloaded from disk.", "info")

    # ------------------------------------------------------------------ filling the form
    def _load_course(self, *, activity: str | None = None, objective: str | None = None) -> None:
        d = self.draft
        self._loading = True
        try:
            self.course.options = d.course_ids
            self.course.value = d.course_id
            course = d.course() if d.course_id else {}
            for name, field in self.fields.items():
                value = course.get(name) or ""
                if name == "status":
                    value = STATUS.canonical(value) or ""
                if isinstance(field, w.Dropdown) and value not in [v for _, v in _pairs(field)]:
                    value = ""
                field.value = value
            self._fill_objectives(objective)
            self._fill_activities(activity)
        finally:
            self._loading = False
        self._refresh()

    def _fill_objectives(self, keep: str | None = None) -> None:
        objs = self.draft.objectives() if self.draft.course_id else None
        pairs = (
            []
            if objs is None
            else [
                (f"{o} · {s}" if isinstance(s, str) else str(o), o)
                for o, s in zip(objs["objective_id"], objs["statement"], strict=True)
            ]
        )
        keep = keep if keep is not None else self.objectives.value
        self.objectives.options = pairs
        ids = [v for _, v in pairs]
        self.objectives.value = keep if keep in ids else (ids[0] if ids else None)
        self.act["objective_id"].options = [(_UNDECIDED, ""), *pairs]
        self._fill_objective()

    def _fill_objective(self) -> None:
        was, self._loading = self._loading, True
        oid = self.objectives.value
        objs = self.draft.objectives() if self.draft.course_id else None
        statement = ""
        if oid and objs is not None:
            hit = objs.loc[objs["objective_id"].eq(oid).fillna(False), "statement"]
            statement = str(hit.iloc[0]) if len(hit) and isinstance(hit.iloc[0], str) else ""
        self.statement.value = statement
        self.statement.disabled = not oid
        self._loading = was

    def _fill_activities(self, keep: str | None = None) -> None:
        acts = self.draft.activities() if self.draft.course_id else None
        pairs = (
            []
            if acts is None
            else [
                (f"{s}. {t} [{a}]", a)
                for s, t, a in zip(acts["seq"], acts["title"], acts["activity_id"], strict=True)
            ]
        )
        keep = keep if keep is not None else self.activities.value
        self.activities.options = pairs
        ids = [v for _, v in pairs]
        self.activities.value = keep if keep in ids else (ids[0] if ids else None)
        self._fill_activity()

    def _fill_activity(self) -> None:
        was, self._loading = self._loading, True
        current = self.activities.value
        values = self.draft.activity(current) if current else {}
        vocabs = {
            v.name: v for v in (TIMINGS, DIRECTIONS, TOOL_TYPES, IN_CLASS_REASONS, LEARNING_TYPES)
        }
        self._fill_tools(values)
        for name, field in self.act.items():
            value = values.get(name) or ""
            if name in vocabs:
                value = vocabs[name].canonical(value) or ""
            if isinstance(field, (w.Dropdown, w.ToggleButtons)):
                if value not in [v for _, v in _pairs(field)]:
                    value = ""
            field.value = value
            field.disabled = not current
        self.act["in_class_reason"].disabled = not current or self.act["timing"].value != "during"
        self._loading = was

    def _fill_tools(self, values: dict) -> None:
        """Tool choices: recommended tools first (★ and rank), then the rest of the catalog."""
        portfolio, _ = self.draft.live()
        aid = values.get("activity_id")
        ranked = recommend_tools(portfolio, top=5) if aid else None
        mine = ranked[ranked["activity_id"].eq(aid)] if ranked is not None else None
        first = [] if mine is None else mine["tool"].tolist()
        labels = (
            [
                (f"★{r} {t} (score {s})", t)
                for r, t, s in zip(mine["rank"], mine["tool"], mine["score"], strict=True)
            ]
            if mine is not None
            else []
        )
        rest = [(t, t) for t in self.draft.tool_names if t not in first]
        current = values.get("tool") or ""
        spelt = {t.lower(): t for t in self.draft.tool_names} | {"none": "none"}
        current = spelt.get(current.strip().lower(), "") if current else ""
        self.act["tool"].options = [(_UNDECIDED, ""), ("none (no tool)", "none"), *labels, *rest]
        self.act["tool"].value = current
        self.recommendations.value = str(self._recommendation_html(mine, values))

    def _recommendation_html(self, mine, values: dict) -> Fragment:
        if not values:
            return Fragment("")
        if not values.get("tool_type"):
            return note("Choose a tool type to see the recommended tools for this activity.")
        org = self.draft.live()[0].courses["organisation"].iloc[0]
        ctx = self.draft.catalog.organisations.set_index("organisation").loc[org]
        context = join(
            "Organisation ",
            badge(org),
            ": platforms ",
            ", ".join(ctx["platforms"]) or "none",
            "; blocked ",
            ", ".join(ctx["blocked_domains"]) or "nothing",
        )
        rows = [] if mine is None else mine.to_dict("records")
        return join(
            _muted_line(context),
            table(
                rows,
                ["rank", "tool", "score", "reasons"],
                empty="No tool of the catalog "
                "serves this type and direction without being blocked.",
            ),
        )

    # ------------------------------------------------------------------ feedback
    def _after_edit(self, *, refill: bool = False) -> None:
        if refill:
            self._loading = True
            try:
                self._fill_objectives()
                self._fill_activities()
            finally:
                self._loading = False
        self._refresh()

    def _refresh(self) -> None:
        """Redraw the charts and update the checks for the open course."""
        start = time.perf_counter()
        d = self.draft
        portfolio, problems = d.live()
        shown = (d.version, d.course_id)
        if shown == self._shown:  # only the selection changed: charts and checks stay
            self._fill_current()
            self._timed(start)
            return
        if d.course_id is None:
            self.swimlane.outputs = self.matrix.outputs = ()
            self.checks.value = self.warnings.value = ""
            self.problems.value = str(note("No course yet: start one above (an id and a title)."))
        else:
            cid = d.course_id
            self.swimlane.outputs = (_figure_output(swimlane_figure(portfolio, course_id=cid)),)
            self.matrix.outputs = (_figure_output(matrix_figure(portfolio, course_id=cid)),)
            self.checks.value = str(_checklist_html(portfolio))
            self.warnings.value = str(_warnings_html(portfolio))
            self.problems.value = (
                str(note(join("Save would refuse: ", bullets(problems)), "failed"))
                if problems
                else ""
            )
        self._shown = shown
        self._fill_current()
        self.save_button.description = "Save *" if d.dirty else "Save"
        self._timed(start)

    def _fill_current(self) -> None:
        """The open activity's tool choices and recommendations."""
        if self.draft.course_id is not None and self.activities.value:
            self._loading = True
            try:
                self._fill_tools(self.draft.activity(self.activities.value))
            finally:
                self._loading = False

    def _timed(self, start: float) -> None:
        self.update_ms.append((time.perf_counter() - start) * 1000)


def _pairs(field: w.Widget) -> list[tuple[str, str]]:
    return [o if isinstance(o, tuple) else (o, o) for o in field.options]


def _muted_line(text: object) -> Fragment:
    return join(Fragment('<p class="sk-empty">'), text, Fragment("</p>"))


def _checklist_html(portfolio) -> Fragment:
    rows = checklist(portfolio)
    items = [
        join(
            badge("ok", "ok") if ok else badge(f"{n} gap(s)", "warning"),
            " ",
            f"{q}. {text}",
            bullets(list(gaps)[:5]),
        )
        for q, text, ok, n, gaps in zip(
            rows["question"], rows["text"], rows["ok"], rows["n_gaps"], rows["gaps"], strict=True
        )
    ]
    return join(Fragment("<b>The six questions</b>"), bullets(items))


def _warnings_html(portfolio) -> Fragment:
    warn = strategic_warnings(portfolio)
    return join(
        Fragment("<b>Strategic warnings</b>"),
        bullets(warn["message"].tolist(), empty="No strategic warning."),
    )
