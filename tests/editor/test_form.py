"""The editor's form text: the recommendations' context."""

from __future__ import annotations

from socialkit.editor.draft import DesignDraft
from socialkit.editor.form import recommendation_html


def test_recommendations_name_the_organisations_platforms_and_blocks(sample_copy) -> None:
    draft = DesignDraft(sample_copy)
    draft.set_course(organisation="Fabrikam Manufacturing")
    html = str(recommendation_html(draft, None, {"tool_type": "discussion"}))
    assert (
        ": platforms SharePoint, Teams, Moodle forum; blocked youtube.com, youtu.be, slack.com"
        in html
    )
    draft.set_course(organisation="Contoso IT Services")  # the context of another one
    html = str(recommendation_html(draft, None, {"tool_type": "discussion"}))
    assert ": platforms Viva Engage, SharePoint, Teams, Stream; blocked nothing" in html
