"""The design editor: a JupyterLab form that walks the six questions of the method.

``DesignEditor("data/")`` opens a portfolio (a CSV folder or an ``.xlsx`` workbook; a
new one when the folder is empty) and shows one tab per question: the course and its
objectives, the activities in order, their timing, their direction, their tool (with
ranked recommendations and their reasons), and the benefit told to learners. Every
change redraws the activity swimlane and the timing × direction grid and updates the
checklist and warnings, without re-running a cell. **Save** validates the whole
portfolio and writes it back atomically; it refuses, keeping the form as it is, when
the design is invalid or the files changed on disk since they were read.

The editing itself lives in :class:`socialkit.editor.draft.DesignDraft`; this module only
binds it to ipywidgets. Every piece of user text shown in HTML is escaped.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable

import ipywidgets as w

from socialkit.analysis.tool_fit import tool_fit
from socialkit.base.fragments import bullets, join, note
from socialkit.charts.course import matrix_figure_json, swimlane_figure_json
from socialkit.contract.tool_names import name_key
from socialkit.contract.vocab import (
    DIRECTIONS,
    IN_CLASS_REASONS,
    LEARNING_TYPES,
    STATUS,
    TIMINGS,
    TOOL_TYPES,
)
from socialkit.editor.draft import DesignDraft
from socialkit.editor.form import (
    READINESS,
    UNDECIDED,
    EditorForm,
    checklist_html,
    figure_output,
    held,
    pairs,
    recommendation_html,
    save_done,
    save_refused,
    warnings_html,
)
from socialkit.editor.live import activity_ranking, chart_keys, every_choice, tool_spellings
from socialkit.errors import SocialkitError

__all__ = ["DesignEditor"]


class DesignEditor(EditorForm):
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
    draft : socialkit.editor.draft.DesignDraft
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
        self._shown: tuple | None = None  # (version, course) the panels show
        self._charted: tuple | None = None  # what the charts were drawn from
        self._tools_for: tuple | None = None  # what the tool choices were ranked for
        super().__init__(self.draft)
        self._bind()
        self._warm_up()
        self._load_course()
        # A full garbage collection walks every object of the kernel (pandas, pyarrow,
        # plotly...): about 70 ms, enough to break the budget of the update it lands in.
        # What is alive now (modules, the catalog, the form) lives as long as the kernel,
        # so it is moved out of the collector's reach; reference counting still frees it.
        gc.collect()
        gc.freeze()

    def _warm_up(self) -> None:
        """Work out the catalog's facts for every organisation and choice once, now, so
        that no change pays for a combination met the first time (40 ms and more).

        :func:`tool_fit` alone fills the catalog's memory (each combination's ranking, each
        tool's fit); other analyses of these made-up courses would cost seconds and add
        nothing to it. Their first-call costs are paid by the first course shown."""
        tool_fit(every_choice(self.draft.catalog))

    def refresh(self) -> None:
        """Fill the form again from :attr:`draft` (after edits made in code)."""
        self._load_course()

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
            if name == "title":  # the course list shows titles
                self._loading = True
                try:
                    self._fill_courses()
                finally:
                    self._loading = False
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
            self._after_edit(relabel="activities" if name == "title" else None)

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
            self._after_edit(relabel="objectives")

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
        self._load_activities(new)
        self.steps.selected_index = 1

    def _on_delete(self, _) -> None:
        if self.activities.value:
            self.draft.remove_activity(self.activities.value)
            self._load_activities()

    def _move(self, by: int) -> None:
        if self.activities.value:
            self.draft.move_activity(self.activities.value, by)
            self._load_activities(self.activities.value)

    def _on_save(self, _) -> None:
        try:
            path = self.draft.save()
        except Exception as exc:  # refused, or a fault of socialkit's own: shown, never lost
            self.message.value = str(save_refused(exc))
            return
        self.save_button.description = "Save"
        self.message.value = str(save_done(path, self.draft.save_warnings))

    def _on_reload(self, _) -> None:
        if self.draft.dirty and not self._reload_armed:
            self._reload_armed = True
            self._say(
                "Reloading drops your unsaved edits. Click Reload again to confirm.", "warning"
            )
            return
        self._reload_armed = False
        self.draft.reload()
        self._charted = self._tools_for = None  # the catalog may have changed too
        self._load_course()
        self._say("Reloaded from disk.", "info")

    # ------------------------------------------------------------------ filling the form
    def _load_activities(self, activity: str | None = None) -> None:
        """Fill the activity list and the open activity's fields (after add, delete, move)."""
        self._loading = True
        try:
            self._fill_activities(activity)
        finally:
            self._loading = False
        self._after_edit()

    def _load_course(self, *, activity: str | None = None, objective: str | None = None) -> None:
        d = self.draft
        self._loading = True
        try:
            with held(*self.fields.values(), self.act["objective_id"]):
                self._fill_courses()
                course = d.course() if d.course_id else {}
                for name, field in self.fields.items():
                    value = course.get(name) or ""
                    if name == "status":
                        value = STATUS.canonical(value) or ""
                    if isinstance(field, w.Dropdown) and value not in [v for _, v in pairs(field)]:
                        value = ""
                    field.value = value
                self._fill_objectives(objective)
                self._fill_activities(activity)
        finally:
            self._loading = False
        self._refresh()

    def _fill_courses(self) -> None:
        courses = self.draft.tables["courses"]
        with held(self.course):
            self.course.options = [
                (f"{cid} · {title}" if isinstance(title, str) else cid, cid)
                for cid, title in zip(courses["course_id"], courses["title"], strict=True)
                if isinstance(cid, str) and cid.strip()
            ]
            self.course.value = self.draft.course_id

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
        ids = [v for _, v in pairs]
        with held(self.objectives):
            self.objectives.options = pairs
            self.objectives.value = keep if keep in ids else (ids[0] if ids else None)
        with held(self.act["objective_id"]):
            self.act["objective_id"].options = [(UNDECIDED, ""), *pairs]
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

    def _fill_activities(self, keep: str | None = None, *, fields: bool = True) -> None:
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
        ids = [v for _, v in pairs]
        with held(self.activities):
            self.activities.options = pairs
            self.activities.value = keep if keep in ids else (ids[0] if ids else None)
        if fields:
            self._fill_activity()

    def _fill_activity(self) -> None:
        was, self._loading = self._loading, True
        current = self.activities.value
        values = self.draft.activity(current) if current else {}
        vocabs = {
            v.name: v for v in (TIMINGS, DIRECTIONS, TOOL_TYPES, IN_CLASS_REASONS, LEARNING_TYPES)
        }
        with held(*self.act.values()):
            self._fill_tools(values)
            for name, field in self.act.items():
                value = values.get(name) or ""
                if name in vocabs:
                    value = vocabs[name].canonical(value) or ""
                elif name == "tool":  # as _fill_tools spelt it: an alias as its tool, unknown kept
                    value = field.value
                if isinstance(field, (w.Dropdown, w.ToggleButtons)):
                    if value not in [v for _, v in pairs(field)]:
                        value = ""
                field.value = value
                field.disabled = not current
            reason = self.act["in_class_reason"]
            reason.disabled = not current or self.act["timing"].value != "during"
        self._loading = was

    def _fill_tools(self, values: dict) -> None:
        """Tool choices: recommended tools first (★ and rank), then the rest of the catalog."""
        portfolio, _ = self.draft.live()
        aid = values.get("activity_id")
        organisation = portfolio.courses["organisation"].iloc[0] if len(portfolio.courses) else None
        decided = ("tool_type", "direction", "timing", "tool")
        key = (aid, organisation, *(values.get(c) for c in decided))
        if key == self._tools_for:  # the ranking depends on nothing else
            return
        self._tools_for = key
        # only activities with a decided tool type are ranked, and only this one is shown
        ranks = aid and values.get("tool_type")
        mine = activity_ranking(portfolio, aid, top=5) if ranks else None
        first = [] if mine is None else mine["tool"].tolist()
        labels = (
            [
                (f"★{r} {t} ({READINESS.get(a, 'availability not known')})", t)
                for r, t, a in zip(mine["rank"], mine["tool"], mine["availability"], strict=True)
            ]
            if mine is not None
            else []
        )
        rest = [(t, t) for t in self.draft.tool_names if t not in first]
        written = (values.get("tool") or "").strip()
        spelt = dict(tool_spellings(self.draft.catalog))  # names and aliases, worked out once
        current = spelt.get(name_key(written), written) if written else ""
        # a tool the catalog does not know stays as written: choosing nothing must not lose it
        unknown = (
            []
            if not current or name_key(current) in spelt
            else [(f"{current} (not in the tool catalog)", current)]
        )
        with held(self.act["tool"]):
            self.act["tool"].options = [
                (UNDECIDED, ""),
                ("none (no tool)", "none"),
                *unknown,
                *labels,
                *rest,
            ]
            self.act["tool"].value = current
        self.recommendations.value = str(recommendation_html(self.draft, mine, values))

    # ------------------------------------------------------------------ feedback
    def _after_edit(self, *, relabel: str | None = None) -> None:
        self.message.value = ""  # an earlier refusal or confirmation no longer applies
        self._reload_armed = False
        if relabel:  # a title or a statement changed: the list that shows it, only
            self._loading = True
            try:
                if relabel == "objectives":
                    self._fill_objectives()
                else:
                    self._fill_activities(fields=False)
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
            self._charted = None
            self.swimlane.outputs = self.matrix.outputs = ()
            self.checks.value = self.warnings.value = ""
            self.problems.value = str(note("No course yet: start one above (an id and a title)."))
        else:
            # each chart is drawn again only when what it shows changed: a new benefit
            # changes neither; a title, tool or move only the swimlane
            cid = d.course_id
            charted = chart_keys(portfolio)
            drawn = self._charted or (None, None)
            if charted[0] != drawn[0]:
                self.swimlane.outputs = (
                    figure_output(swimlane_figure_json(portfolio, course_id=cid)),
                )
            if charted[1] != drawn[1]:
                self.matrix.outputs = (figure_output(matrix_figure_json(portfolio, course_id=cid)),)
            self._charted = charted
            self.checks.value = str(checklist_html(portfolio))
            self.warnings.value = str(warnings_html(portfolio))
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
