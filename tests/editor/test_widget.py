"""The design editor's form, driven without a browser: set values, click, check results."""

from __future__ import annotations

import csv
import html
from pathlib import Path

import ipywidgets
import pytest

from socialkit.charts.course import matrix_figure, swimlane_figure
from socialkit.editor.form import figure_output
from socialkit.editor.widget import DesignEditor

PLOTLY = "application/vnd.plotly.v1+json"
SCRIPT = "<script>alert(1)</script>"


def figure(output) -> dict:
    """The plotly figure an Output widget shows."""
    (shown,) = output.outputs
    return shown["data"][PLOTLY]


def text(widget) -> str:
    """What an HTML widget says, entities decoded."""
    return html.unescape(widget.value)


def labels(output) -> list[str]:
    return [text for trace in figure(output)["data"] for text in trace["text"]]


def activity_rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "activities.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def editor(sample_copy) -> DesignEditor:
    return DesignEditor(sample_copy, course_id="it-risk")


def test_the_form_walks_the_six_questions(editor) -> None:
    steps = editor.steps
    assert [steps.get_title(i) for i in range(6)] == [
        "1 Objectives",
        "2 Activities",
        "3 Timing",
        "4 Direction",
        "5 Tool",
        "6 Benefit",
    ]
    assert editor.course.value == "it-risk" and len(editor.course.options) == 14
    assert editor.course.options[0] == (
        "it-risk · Measuring the risks of international projects",
        "it-risk",
    )
    assert [v for _, v in editor.activities.options] == ["A1", "A2", "A3", "A4", "A5", "A6"]
    assert editor.fields["title"].value == "Measuring the risks of international projects"
    assert "sk-editor" in editor.widget._dom_classes
    bundle = editor._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    editor.fields["title"].value = "Risks of international projects"
    assert editor.course.options[0] == ("it-risk · Risks of international projects", "it-risk")
    assert editor.course.value == "it-risk"


def test_selecting_an_activity_fills_every_step(editor) -> None:
    editor.activities.value = "A5"
    act = editor.act
    assert act["title"].value == "Score and rank the risks collected by the group"
    assert (act["timing"].value, act["in_class_reason"].value) == ("during", "skill-practice")
    assert not act["in_class_reason"].disabled
    assert (act["direction"].value, act["tool_type"].value, act["tool"].value) == (
        "many-to-one",
        "productivity",
        "Microsoft Forms",
    )
    editor.activities.value = "A1"
    assert act["timing"].value == "before" and act["in_class_reason"].disabled


def test_adding_an_activity_redraws_the_charts_and_checks(editor, sample_copy) -> None:
    before = (sample_copy / "activities.csv").read_bytes()
    assert figure(editor.matrix)["data"][0]["z"] == [[1, 0, 2], [0, 1, 1], [0, 0, 1]]
    assert "no learning activity" not in text(editor.checks)
    editor.buttons["add"].click()
    assert editor.activities.value == "A7" and editor.steps.selected_index == 1
    assert editor.act["title"].value == "New activity"
    editor.act["title"].value = "Lab check-in"
    assert "Lab check-in" in labels(editor.swimlane)
    # undecided timing and direction get their own row and column
    assert figure(editor.matrix)["data"][0]["z"] == [
        [1, 0, 2, 0],
        [0, 1, 1, 0],
        [0, 0, 1, 0],
        [0, 0, 0, 1],
    ]
    assert "timing of activity 'A7' (\"Lab check-in\") not decided" in text(editor.checks)
    editor.act["timing"].value = "after"
    editor.act["direction"].value = "many-to-many"
    assert figure(editor.matrix)["data"][0]["z"] == [[1, 0, 2], [0, 1, 1], [0, 0, 2]]
    assert "timing of activity 'A7'" not in text(editor.checks)
    assert editor.save_button.description == "Save *"
    assert (sample_copy / "activities.csv").read_bytes() == before  # written on Save only


def test_tool_step_ranks_the_recommended_tools_first(editor) -> None:
    editor.buttons["add"].click()
    editor.act["direction"].value = "many-to-many"
    assert "Choose a tool type" in text(editor.recommendations)
    editor.act["tool_type"].value = "community"
    options = editor.act["tool"].options
    assert options[:4] == (
        ("not decided", ""),
        ("none (no tool)", "none"),
        # both are Contoso platforms made first of all for community, equal on every
        # priority: the one made for fewer kinds of activity first (Viva Engage 2, Teams 4)
        ("★1 Viva Engage (available)", "Viva Engage"),
        ("★2 Teams (available)", "Teams"),
    )
    html = editor.recommendations.value
    assert "Contoso IT Services" in html and "Viva Engage, SharePoint, Teams, Stream" in html
    # Moodle forum is internal and Contoso lacks it: below every tool its learners can
    # reach at once, so not among the five shown
    assert "Teams" in html and "Moodle forum" not in html
    editor.act["tool"].value = "Teams"
    assert "tool of activity 'A7'" not in text(editor.checks)
    assert editor.draft.activity("A7")["tool"] == "Teams"


def test_moving_and_deleting_activities(editor) -> None:
    editor.activities.value = "A3"
    editor.buttons["up"].click()
    assert [v for _, v in editor.activities.options][:3] == ["A1", "A3", "A2"]
    assert editor.activities.value == "A3"
    assert editor.activities.options[1][0].startswith("2. Ask project managers")
    editor.buttons["down"].click()
    editor.buttons["down"].click()
    assert [v for _, v in editor.activities.options][:4] == ["A1", "A2", "A4", "A3"]
    editor.buttons["delete"].click()
    assert [v for _, v in editor.activities.options] == ["A1", "A2", "A4", "A5", "A6"]
    assert len(labels(editor.swimlane)) == 5


def test_objectives_are_added_reworded_and_deleted(editor) -> None:
    editor.new_statement.value = "Present the top risks to a steering group"
    editor.add_objective.click()
    assert editor.objectives.value == "O5" and editor.new_statement.value == ""
    assert editor.statement.value == "Present the top risks to a steering group"
    editor.statement.value = "Present the top three risks"
    assert editor.draft.objectives().iloc[-1]["statement"] == "Present the top three risks"
    assert "objective 'O5' is served by no activity" in text(editor.checks)
    editor.del_objective.click()
    assert [v for _, v in editor.objectives.options] == ["O1", "O2", "O3", "O4"]
    editor.add_objective.click()  # a blank statement is refused, not added
    assert "needs a statement" in text(editor.message)
    assert [v for _, v in editor.objectives.options] == ["O1", "O2", "O3", "O4"]


def test_a_refused_edit_is_explained_and_the_form_restored(editor) -> None:
    editor.act["title"].value = "   "
    assert "title cannot be blank" in text(editor.message)
    assert editor.act["title"].value == "Read a short definition of project risk and comment on it"
    editor.act["minutes"].value = "twenty"
    assert "minutes 'twenty' is not valid" in text(editor.message)
    assert editor.act["minutes"].value == "20"
    editor.act["minutes"].value = "25"  # a good edit clears the message
    assert editor.message.value == "" and editor.draft.activity("A1")["minutes"] == "25"


def test_save_writes_the_new_row_and_reports_it(editor, sample_copy) -> None:
    before = activity_rows(sample_copy)
    editor.buttons["add"].click()
    editor.act["title"].value = "Lab check-in"
    editor.save_button.click()
    assert "Saved" in text(editor.message) and editor.save_button.description == "Save"
    after = activity_rows(sample_copy)
    assert after[:-1] == before
    assert (after[-1]["course_id"], after[-1]["activity_id"], after[-1]["title"]) == (
        "it-risk",
        "A7",
        "Lab check-in",
    )


def test_save_refusals_keep_the_form(editor, sample_copy) -> None:
    editor.activities.value = "A2"
    editor.draft.set_activity("A2", timing="sometime")  # as if typed in a script
    editor.refresh()
    assert "timing 'sometime'" in text(editor.problems)
    before = (sample_copy / "activities.csv").read_bytes()
    editor.save_button.click()
    assert "Not saved: 1 problem(s)" in text(editor.message)
    assert "activities, row 3, column 'timing'" in text(editor.message)
    assert (sample_copy / "activities.csv").read_bytes() == before
    editor.draft.set_activity("A2", timing="before")
    courses = sample_copy / "courses.csv"
    courses.write_text(courses.read_text(encoding="utf-8").replace("Measuring", "Weighing"))
    editor.save_button.click()
    assert "changed on disk" in text(editor.message)
    assert (sample_copy / "activities.csv").read_bytes() == before


def test_reload_asks_before_dropping_edits(editor) -> None:
    editor.act["title"].value = "Mine"
    editor.reload_button.click()
    assert "Click Reload again" in text(editor.message)
    assert editor.act["title"].value == "Mine"
    editor.act["title"].value = "Mine again"  # an edit after the warning disarms it
    editor.reload_button.click()
    assert "Click Reload again" in text(editor.message)
    assert editor.act["title"].value == "Mine again"
    editor.reload_button.click()
    assert editor.act["title"].value.startswith("Read a short definition")
    assert "Reloaded" in text(editor.message)


def test_user_text_is_escaped_in_every_html_panel(editor) -> None:
    editor.act["title"].value = SCRIPT
    editor.act["tool_type"].value = "community"
    editor.fields["title"].value = SCRIPT
    editor.act["tool"].value = "YouTube"  # does not serve community: a warning names it
    shown = editor.checks.value + editor.warnings.value + editor.recommendations.value
    assert "<script>" not in shown and "&lt;script&gt;" in shown


def test_a_new_course_and_a_new_portfolio(tmp_path) -> None:
    editor = DesignEditor(tmp_path / "designs")
    assert editor.course.options == () and "No course yet" in text(editor.problems)
    assert editor.swimlane.outputs == ()
    editor.new_id.value, editor.new_title.value = "bad id", "Intro"
    editor.new_button.click()
    assert "course id 'bad id' is not valid" in text(editor.message)
    editor.new_id.value = "intro"
    editor.new_button.click()
    assert editor.course.value == "intro" and editor.fields["title"].value == "Intro"
    assert "no learning objective defined" in text(editor.checks)
    editor.buttons["add"].click()
    editor.save_button.click()
    assert "Saved" in text(editor.message)
    assert [r["title"] for r in activity_rows(tmp_path / "designs")] == ["New activity"]


def test_switching_course_keeps_unsaved_edits(editor) -> None:
    editor.act["title"].value = "Mine"
    editor.course.value = "lean-basics"
    assert editor.act["title"].value == "What is waste? A short reading"
    editor.course.value = "it-risk"
    assert editor.act["title"].value == "Mine"


def test_charts_are_redrawn_only_when_what_they_show_changes(editor) -> None:
    swimlane, matrix = editor.swimlane.outputs, editor.matrix.outputs
    editor.act["learner_benefit"].value = "Something new"
    assert editor.swimlane.outputs is swimlane and editor.matrix.outputs is matrix
    assert "Something new" not in str(swimlane)
    editor.act["timing"].value = "after"
    assert editor.swimlane.outputs is not swimlane
    assert figure(editor.matrix)["data"][0]["z"] == [[0, 0, 2], [0, 1, 1], [1, 0, 1]]
    # a title, a tool or a move changes the sequence, not the timing × direction counts
    matrix = editor.matrix.outputs
    editor.act["title"].value = "Renamed"
    editor.act["tool"].value = "none"
    editor.buttons["down"].click()
    assert editor.matrix.outputs is matrix and "Renamed" in labels(editor.swimlane)
    editor.act["direction"].value = "many-to-many"
    assert editor.matrix.outputs is not matrix
    portfolio, _ = editor.draft.live()  # what is shown is what drawing it afresh gives
    for output, draw in ((editor.swimlane, swimlane_figure), (editor.matrix, matrix_figure)):
        assert output.outputs == (figure_output(draw(portfolio, course_id="it-risk")),)


def test_each_widget_sends_one_message_per_change(editor, monkeypatch) -> None:
    # every message wakes the kernel's output thread: a drop-down whose options, value
    # and state change in one update says so once
    sent: list[tuple[str, tuple[str, ...]]] = []
    monkeypatch.setattr(
        ipywidgets.Widget,
        "_send",
        lambda self, msg, buffers=None: sent.append((self.model_id, tuple(msg["state"]))),
    )
    changes = {
        "select": lambda: setattr(editor.activities, "value", "A3"),
        "timing": lambda: setattr(editor.act["timing"], "value", "after"),
        "add": lambda: editor.buttons["add"].click(),
        "delete": lambda: editor.buttons["delete"].click(),
        "course": lambda: setattr(editor.course, "value", "lean-basics"),
    }
    for what, change in changes.items():
        sent.clear()
        change()
        models = [model for model, _ in sent]
        assert sent and len(models) == len(set(models)), what
    # held together, the tool choices still say options and the choice in one message
    sent.clear()
    editor.activities.value = "A2"  # community, many-to-many: other tools to rank
    tool = editor.act["tool"].model_id
    assert [set(keys) for model, keys in sent if model == tool] == [{"_options_labels", "index"}]


def test_long_lists_of_gaps_are_cut_with_a_count(tmp_path) -> None:
    editor = DesignEditor(tmp_path / "new")
    editor.new_id.value, editor.new_title.value = "long", "A long course"
    editor.new_button.click()
    for _ in range(10):
        editor.buttons["add"].click()
    shown = text(editor.checks)
    assert "10 gap(s)" in shown and "… and 2 more" in shown  # 10 activities without timing
    assert "timing of activity 'A8'" in shown and "timing of activity 'A9'" not in shown


def test_save_lists_cells_excel_would_run_as_formulas(editor, sample_copy) -> None:
    editor.act["learner_benefit"].value = '=HYPERLINK("https://example.org")'
    editor.save_button.click()
    shown = text(editor.message)
    assert "Saved" in shown and "1 cell(s) start like a formula" in shown
    assert "activities.csv, row 2, column 'learner_benefit'" in shown
    assert activity_rows(sample_copy)[0]["learner_benefit"] == '=HYPERLINK("https://example.org")'


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (the sample has a statements folder), by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_an_unexpected_fault_during_save_is_shown_and_nothing_is_written(
    editor, sample_copy, monkeypatch
) -> None:
    before = snapshot(sample_copy)
    editor.act["title"].value = "Changed"

    def broken(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr("socialkit.editor.saving.write_tables", broken)
    editor.save_button.click()
    assert "Not saved: unexpected error (KeyError: 'surprise')" in text(editor.message)
    assert snapshot(sample_copy) == before
    assert editor.draft.dirty and editor.act["title"].value == "Changed"


def test_an_unknown_tool_is_kept_and_an_alias_shown_as_its_tool(sample_copy) -> None:
    path = sample_copy / "activities.csv"
    rows = activity_rows(sample_copy)
    for row in rows:
        if (row["course_id"], row["activity_id"]) == ("it-risk", "A1"):
            row["tool"] = "Workvivo Pro"  # not in the catalog
        if (row["course_id"], row["activity_id"]) == ("it-risk", "A2"):
            row["tool"] = "yammer"  # an alias of Viva Engage
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    editor = DesignEditor(sample_copy, course_id="it-risk")
    editor.activities.value = "A1"
    tool = editor.act["tool"]
    assert tool.value == "Workvivo Pro"
    assert ("Workvivo Pro (not in the tool catalog)", "Workvivo Pro") in tool.options
    assert editor.draft.activity("A1")["tool"] == "Workvivo Pro"  # opening it lost nothing
    editor.activities.value = "A2"
    assert editor.act["tool"].value == "Viva Engage"
