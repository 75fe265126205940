"""What ``studycards equations`` tells the reader about an equation it shows without a number."""

from __future__ import annotations

from pathlib import Path

from tests.test_latex_numbering import eq, source

PAGE = "\\renewcommand{\\theequation}{\\thepage-\\arabic{equation}}"


def _paper(tmp_path: Path, preamble: str, body: str) -> Path:
    main = tmp_path / "main.tex"
    main.write_text(source("article", preamble, body), encoding="utf-8")
    return main


def test_a_number_left_out_comes_with_its_reason_without_verbose(tmp_path: Path, cli):
    """pdflatex prints (1-1) and (2-2): the page decides, so "(–)" is shown, and why, on stderr after the list;
    a warning that explains no number (a missing input) still waits for -v."""
    main = _paper(tmp_path, PAGE, "\\input{nothere}\n" + eq("a = b") + "\\newpage" + eq("c = d"))
    result = cli("equations", main, "--no-sympy")
    assert result.exit_code == 0
    assert result.stdout.count("(–)") == 2
    assert result.stderr == (
        "warning: equation numbers rest on \\thepage, which only the PDF knows: left out, not guessed\n"
    )
    verbose = cli("-v", "equations", main, "--no-sympy")
    lines = verbose.stderr.splitlines()
    assert lines[0] == result.stderr.rstrip("\n")
    assert len(lines) == 2 and "\\input{nothere}: file not found" in lines[1]


def test_numbered_equations_print_no_warning(tmp_path: Path, cli):
    main = _paper(tmp_path, "", "\\input{nothere}\n" + eq("a = b"))
    result = cli("equations", main, "--no-sympy")
    assert result.exit_code == 0
    assert result.stdout.startswith("(1)")
    assert result.stderr == ""


def test_the_json_list_stays_clean_and_the_reason_goes_to_stderr(tmp_path: Path, cli):
    import json

    main = _paper(tmp_path, PAGE, eq("a = b"))
    result = cli("equations", main, "--json", "--no-sympy")
    assert json.loads(result.stdout)["equations"][0]["number"] is None
    assert "only the PDF knows" in result.stderr


def test_a_fetched_paper_gives_the_same_reason(arxiv_server, home: Path, cli):
    """By arXiv id the equations come from the store; the reason is read again from the cached source."""
    import gzip
    import io
    import tarfile

    data = source("article", PAGE, eq("a = b")).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("main.tex")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    arxiv_server.add_source("1801.00862", gzip.compress(buffer.getvalue()))
    assert cli("fetch", "1801.00862").exit_code == 0
    result = cli("equations", "1801.00862")
    assert result.exit_code == 0
    assert result.stdout.startswith("(–)")
    assert result.stderr == (
        "warning: equation numbers rest on \\thepage, which only the PDF knows: left out, not guessed\n"
    )
