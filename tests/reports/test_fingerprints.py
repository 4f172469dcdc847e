"""Course fingerprints: a digest changes exactly when what a report is made from changes."""

from __future__ import annotations

import shutil
from pathlib import Path

from socialkit.contract.io import catalog_path, load_portfolio, read_tables, write_tables
from socialkit.reports.fingerprints import course_fingerprints


def test_fingerprint_changes_only_for_the_course_that_changed(sample_copy) -> None:
    data = sample_copy
    nb = b"notebook"
    before = course_fingerprints(load_portfolio(data), nb)
    tables, _ = read_tables(data)
    objectives = tables["objectives"]
    row = objectives["course_id"].eq("it-risk").idxmax()
    objectives.loc[row, "statement"] = objectives.loc[row, "statement"] + "!"
    write_tables(tables, data)
    after = course_fingerprints(load_portfolio(data), nb)
    changed = sorted(before.index[before.ne(after)])
    assert changed == ["it-risk"]
    assert course_fingerprints(load_portfolio(data), b"other").ne(after).all()
    assert before.str.fullmatch(r"[0-9a-f]{64}").all()


def test_fingerprint_follows_activity_order(sample_copy) -> None:
    data = sample_copy
    before = course_fingerprints(load_portfolio(data), b"")
    tables, _ = read_tables(data)
    acts = tables["activities"]
    rows = acts.index[acts["course_id"].eq("it-risk")][:2]
    order = list(acts.index)
    i, j = order.index(rows[0]), order.index(rows[1])
    order[i], order[j] = order[j], order[i]
    tables["activities"] = acts.loc[order]
    write_tables(tables, data)
    after = course_fingerprints(load_portfolio(data), b"")
    assert sorted(before.index[before.ne(after)]) == ["it-risk"]


def test_fingerprint_follows_the_organisation_row(sample_copy) -> None:
    data = sample_copy
    p = load_portfolio(data)
    before = course_fingerprints(p, b"")
    tables, _ = read_tables(data)
    org = p.courses.set_index("course_id").loc["it-risk", "organisation"]
    orgs = tables["organisations"]
    orgs.loc[orgs["organisation"].eq(org), "blocked_domains"] = "example.com"
    write_tables(tables, data)
    after = course_fingerprints(load_portfolio(data), b"")
    same_org = p.courses.loc[p.courses["organisation"].eq(org), "course_id"]
    assert sorted(before.index[before.ne(after)]) == sorted(same_org)


def test_fingerprint_follows_the_portfolios_tool_catalog(sample_copy) -> None:
    data = sample_copy
    tools = data / "tools.csv"
    shutil.copyfile(catalog_path() / "tools.csv", tools)
    before = course_fingerprints(load_portfolio(data), b"")
    tools.write_text(tools.read_text(encoding="utf-8").replace("yammer.com", "yammer.org"))
    after = course_fingerprints(load_portfolio(data), b"")
    assert before.ne(after).all()  # the catalog is common to every course


def test_fingerprint_follows_the_bundled_catalog(sample_copy, tmp_path, monkeypatch) -> None:
    import socialkit.contract.io

    assert not (sample_copy / "tools.csv").exists()  # the sample uses the bundled catalog
    before = course_fingerprints(load_portfolio(sample_copy), b"")
    catalog = Path(shutil.copytree(socialkit.contract.io.catalog_path(), tmp_path / "catalog"))
    tools = catalog / "tools.csv"
    tools.write_text(tools.read_text(encoding="utf-8").replace("yammer.com", "yammer.org"))
    monkeypatch.setattr(socialkit.contract.io, "catalog_path", lambda: catalog)
    after = course_fingerprints(load_portfolio(sample_copy), b"")
    assert before.ne(after).all()


def test_fingerprint_follows_runs_people_and_statements_of_courses_with_runs(tmp_path) -> None:
    from test_delivery_section import delivery_portfolio  # tests/reports

    from socialkit.reports.fingerprints import statements_digest

    data = delivery_portfolio(tmp_path / "p")  # it-risk has a run and two statements

    def prints():
        return course_fingerprints(
            load_portfolio(data, partial=True), b"", statements=statements_digest(data)
        )

    before = prints()
    assert prints().equals(before)
    log = data / "statements" / "s.jsonl"
    log.write_text(log.read_text(encoding="utf-8").replace("07:59:59Z", "08:00:01Z"))
    after = prints()
    assert sorted(before.index[before.ne(after)]) == ["it-risk"]  # only the course with runs
    (data / "statements" / "more").mkdir()
    shutil.copy(log, data / "statements" / "more" / "again.jsonl")
    added = prints()
    assert sorted(after.index[after.ne(added)]) == ["it-risk"]
    people = data / "people.csv"
    people.write_text(people.read_text(encoding="utf-8").replace("bob@", "rob@"))
    assert sorted(added.index[added.ne(prints())]) == ["it-risk"]


def test_statements_digest_is_the_same_without_statement_files(tmp_path) -> None:
    from socialkit.reports.fingerprints import statements_digest

    empty = statements_digest(tmp_path)
    (tmp_path / "statements").mkdir()
    (tmp_path / "statements" / "notes.txt").write_text("not a statement file")
    assert statements_digest(tmp_path) == empty
    (tmp_path / "statements" / "s.json").write_text("[]")
    assert statements_digest(tmp_path) != empty
