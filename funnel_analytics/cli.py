"""The ``funnel-analytics`` command line.

Exit codes (a contract scripts rely on):

* 0 — every row of every file is valid (or the command succeeded);
* 1 — some rows were rejected (the valid ones were still read or imported);
* 2 — an input cannot be used (unreadable, not a spreadsheet, no stage column, unknown stage
  model, bad option, store not writable): one clear line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .choices import DEFAULT_SEED, ENV_VAR, SHAPES, default_store_path
from .errors import UnusableFile
from .i18n import t
from .stages import BUILTIN_MODELS, StageModelError, get_stage_model

# The numeric stack (pandas, pandera, DuckDB) is imported by the commands that use it, when
# they run: `--help`, option errors and `stage-models` start without it (issue #13).
if TYPE_CHECKING:
    import pandas as pd

    from .loading import LoadResult
    from .roles import RolesResult
    from .stages import StageModel

__all__ = ["main"]

EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2


def _default_lang() -> str:
    env = os.environ.get("FUNNEL_ANALYTICS_LANG") or os.environ.get("LANG", "")
    return "zh" if env.lower().startswith("zh") else "en"


def _fail(message: str) -> None:
    click.echo(f"funnel-analytics: {message}", err=True)
    sys.exit(EXIT_UNUSABLE)


def _warn_placeholders(model, lang: str) -> None:
    """On stderr: the model's placeholder win probabilities, which weighted figures use."""
    spaced = model.placeholder_stages
    if spaced:
        stages = ", ".join(f"{s.name(lang)} {s.probability:.0%}" for s in spaced)
        click.echo(t("cli_model_placeholders", lang, count=len(spaced), stages=stages), err=True)


def _guarded(func: Callable) -> Callable:
    """Turn every failure into one line on stderr and exit code 2."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        lang = kwargs.get("lang") or _default_lang()
        try:
            return func(*args, **kwargs)
        except UnusableFile as exc:
            _fail(exc.message(lang))
        except StageModelError as exc:
            _fail(str(exc))
        except (SystemExit, click.exceptions.Exit, click.ClickException):
            raise
        except BrokenPipeError:  # the reader went away (`| head`): nothing more to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_OK)
        except Exception as exc:  # a report, never a traceback
            store = sys.modules.get(f"{__package__}.store")  # a store error needs the store
            if store is not None and isinstance(exc, store.StoreError):
                _fail(exc.message(lang))
            if os.environ.get("FUNNEL_ANALYTICS_DEBUG"):
                raise
            _fail(f"{type(exc).__name__}: {exc}")

    return wrapper


def _load_options(func: Callable) -> Callable:
    options = [
        click.option(
            "--stage-model",
            "stage_model",
            default="six_state",
            show_default=True,
            help=f"Built-in model ({', '.join(BUILTIN_MODELS)}) or a .toml file.",
        ),
        click.option(
            "--map",
            "maps",
            multiple=True,
            metavar="HEADER=FIELD",
            help='Map a column to a field, e.g. --map "销售阶段=stage"; '
            "FIELD 'ignore' unmaps it. Repeatable.",
        ),
        click.option(
            "--as-of",
            "as_of",
            default=None,
            metavar="DATE",
            help="Snapshot date when the file has no snapshot-date column "
            "(otherwise taken from the file name, e.g. 2024-03).",
        ),
        click.option(
            "--sheet",
            default=None,
            help="Sheet name or 0-based index (default: the sheet that looks like opportunities).",
        ),
        click.option(
            "--shape",
            type=click.Choice(SHAPES),
            default="auto",
            show_default=True,
            help="Input shape: monthly snapshot, per-stage date columns, or history log.",
        ),
        click.option(
            "--dayfirst/--monthfirst",
            "dayfirst",
            default=None,
            help="Force the order of a/b/yy dates (default: decided per column).",
        ),
        click.option(
            "--lang",
            type=click.Choice(["zh", "en"]),
            default=None,
            help="Language of messages (default from $LANG).",
        ),
        click.option(
            "--store",
            "store_path",
            default=None,
            type=click.Path(dir_okay=False),
            help=f"Snapshot store file (default ${ENV_VAR} or {default_store_path()}).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _parse_as_of(value: str | None) -> pd.Timestamp | None:
    if value is None:
        return None
    import pandas as pd

    from .values import parse_date

    parsed = parse_date(pd.Series([value], dtype="object"))
    if parsed.bad.any() or parsed.values.isna().all():
        raise UnusableFile("bad_as_of", value=value)
    return parsed.values.iloc[0]


def _check_input(file: str) -> None:
    path = Path(file)
    if path.is_dir():
        raise UnusableFile("unreadable", file=file, detail="a folder, not a file")
    if not path.exists():
        raise UnusableFile("unreadable", file=file, detail="no such file")


def _remembered(store_path: str | None) -> dict[str, dict[str, str]]:
    path = Path(store_path) if store_path else default_store_path()
    if not path.exists():
        return {}
    from .store import SnapshotStore, StoreBusy

    try:
        with SnapshotStore(path, read_only=True, on_wait=_waiting) as store:
            return store.remembered_mappings()
    except StoreBusy as exc:  # validation goes on, saying what it could not use
        click.echo(f"funnel-analytics: {exc.message(_default_lang())}", err=True)
        return {}
    except Exception:  # an unreadable store must not stop a validation
        return {}


def _waiting() -> None:
    """Said once while a command waits for a store another program is writing."""
    click.echo(f"funnel-analytics: {t('store_waiting', _default_lang())}", err=True)


def _load(file: str, *, stage_model, maps, as_of, sheet, shape, dayfirst, remembered) -> LoadResult:
    from .loading import load_export
    from .mapping import parse_map_options

    return load_export(
        file,
        stage_model=get_stage_model(stage_model),
        mapping=parse_map_options(maps),
        remembered=remembered,
        as_of=_parse_as_of(as_of),
        sheet=sheet,
        shape=shape,
        dayfirst=dayfirst,
    )


def _piece_rows(file: str, chunk_rows: int | None, sheet: str | None) -> int:
    """The rows per piece to read ``file`` in, or 0 to read it in one piece: as asked, else
    :data:`~funnel_analytics.chunked.DEFAULT_PIECE_ROWS` for a CSV over
    :data:`~funnel_analytics.chunked.AUTO_PIECES_BYTES` (workbooks are read in one piece)."""
    from .chunked import AUTO_PIECES_BYTES, DEFAULT_PIECE_ROWS

    if chunk_rows == 0 or sheet is not None or Path(file).suffix.lower() not in (".csv", ".txt"):
        return 0
    if chunk_rows is not None:
        return chunk_rows
    return DEFAULT_PIECE_ROWS if Path(file).stat().st_size > AUTO_PIECES_BYTES else 0


def _load_in_pieces(
    file: str, rows: int, *, stage_model, maps, as_of, sheet, shape, dayfirst, remembered
):
    """``file`` read in pieces of ``rows`` rows, saying on stderr how far it has got."""
    from .chunked import load_in_pieces
    from .mapping import parse_map_options

    size = Path(file).stat().st_size
    lang = _default_lang()

    def progress(pieces: int, done: int) -> None:
        click.echo(
            "funnel-analytics: "
            + t("cli_pieces_progress", lang, file=file, pieces=pieces, percent=100 * done / size),
            err=True,
        )

    return load_in_pieces(
        file,
        rows,
        stage_model=get_stage_model(stage_model),
        mapping=parse_map_options(maps),
        remembered=remembered,
        as_of=_parse_as_of(as_of),
        shape=shape,
        dayfirst=dayfirst,
        progress=progress if sys.stderr.isatty() else None,
    )


def _print_report(result: LoadResult, lang: str, path: str, limit: int = 50) -> None:
    rep = result.report(lang)
    click.echo(f"{rep['file']}  [{rep['format']}{' · ' + rep['sheet'] if rep['sheet'] else ''}]")
    click.echo(
        "  "
        + t(
            "cli_summary",
            lang,
            read=rep["rows_read"],
            valid=rep["rows_valid"],
            rejected=rep["rows_rejected"],
            warnings=len(rep["warnings"]),
        )
    )
    click.echo(
        "  " + t("cli_model_date", lang, model=rep["stage_model"], date=rep["snapshot_date"])
    )
    if rep.get("stage_model_proposal"):
        p = rep["stage_model_proposal"]
        click.echo(
            "  "
            + t(
                "cli_model_proposal",
                lang,
                model=p["model"],
                matched=p["rows_matched"],
                rows=p["rows"],
            )
        )
    elif rep["unknown_stages"]:
        # No built-in model fits: the file's own stages are the way to read every row.
        unknown = sum(int(u["count"]) for u in rep["unknown_stages"])
        click.echo(
            "  " + t("cli_own_stages", lang, count=unknown, model=rep["stage_model"], file=path)
        )
    click.echo("  " + t("cli_mapping", lang))
    for header, target in rep["mapping"].items():
        click.echo(f"    {header} → {target}")
    for note in rep["notes"]:
        click.echo(f"  · {note}")
    for key, items in (("cli_errors", rep["errors"]), ("cli_warnings", rep["warnings"])):
        if not items:
            continue
        click.echo("  " + t(key, lang, n=len(items)))
        for f in items[:limit]:
            row = t("cli_row", lang, row=f["row"])
            click.echo(f"    {row} · {f['column']} · {f['value']!s} · {f['rule']}: {f['message']}")
        if len(items) > limit:
            click.echo("    " + t("cli_more", lang, n=len(items) - limit))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="funnel-analytics")
def cli() -> None:
    """Read, validate and keep monthly opportunity exports (Excel or CSV, Chinese or English).

    Exit codes: 0 all rows valid, 1 some rows rejected, 2 input unusable.
    """


@cli.command()
@click.argument("file")
@_load_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--rejected-out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the rejected rows with reasons to this .xlsx file.",
)
@_guarded
def validate(
    file, stage_model, maps, as_of, sheet, shape, dayfirst, lang, store_path, as_json, rejected_out
):
    """Check FILE and report every problem with its spreadsheet row; nothing is stored."""
    lang = lang or _default_lang()
    _check_input(file)
    result = _load(
        file,
        stage_model=stage_model,
        maps=maps,
        as_of=as_of,
        sheet=sheet,
        shape=shape,
        dayfirst=dayfirst,
        remembered=_remembered(store_path),
    )
    if rejected_out:
        from .export import rejected_rows_xlsx

        Path(rejected_out).write_bytes(rejected_rows_xlsx(result, lang))
    if as_json:
        click.echo(json.dumps(result.report(lang), ensure_ascii=False, default=str))
    else:
        _print_report(result, lang, file)
    sys.exit(EXIT_REJECTED if result.rows_rejected else EXIT_OK)


@cli.command(name="import")
@click.argument("files", nargs=-1, required=True)
@_load_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--chunk-rows",
    "chunk_rows",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="Read a CSV in pieces of N rows (at least 64), holding one piece in memory; 0 reads "
    "it in one piece. Default: pieces of 100,000 rows for CSV files over 32 MB. The findings "
    "and row numbers are those of one piece.",
)
@_guarded
def import_(
    files, stage_model, maps, as_of, sheet, shape, dayfirst, lang, store_path, as_json, chunk_rows
):
    """Validate FILES and keep their valid rows as snapshots in the store.

    Each file is one snapshot, imported atomically; the same file content twice is one
    snapshot. The mapping used is remembered for files with the same headers.
    """
    from .store import SnapshotStore, begin_encoding

    lang = lang or _default_lang()
    outcomes, code = [], EXIT_OK
    # The store is opened only to write: each file is read and checked first, so another
    # program (the dashboard, a second import) can use the store meanwhile.
    remembered = _remembered(store_path)
    path = Path(store_path) if store_path else default_store_path()
    for file in files:
        try:
            _check_input(file)
            options = dict(
                stage_model=stage_model,
                maps=maps,
                as_of=as_of,
                sheet=sheet,
                shape=shape,
                dayfirst=dayfirst,
                remembered=remembered,
            )
            rows = _piece_rows(file, chunk_rows, sheet)
            result = _load_in_pieces(file, rows, **options) if rows else _load(file, **options)
        except UnusableFile as exc:
            click.echo(f"funnel-analytics: {exc.message(lang)}", err=True)
            outcomes.append({"file": file, "error": exc.message(lang), "reason": exc.reason})
            code = EXIT_UNUSABLE
            continue
        # A key-roles sheet of the same workbook is kept with the snapshot, found as the
        # dashboard finds one beside an upload's opportunities (a CSV has none).
        pieces = getattr(result, "pieces", None)
        beside = None if pieces is not None else _roles_beside_export(file, result)
        # The rows are encoded while DuckDB opens the store (a file read in pieces holds them
        # encoded already).
        encoded = result.stored_rows() if pieces is not None else begin_encoding(result)
        with SnapshotStore(path, on_wait=_waiting) as store:
            outcome = store.import_result(
                result, roles=None if beside is None else beside.roles, encoded=encoded
            )
            store.remember_mapping(result.mapping.signature, result.mapping.confirmed())
            remembered = store.remembered_mappings()
        if result.rows_rejected and code == EXIT_OK:
            code = EXIT_REJECTED
        dates = result.snapshot_dates
        given = None if dates is None else dates[1].date().isoformat()
        outcomes.append(
            {
                "file": file,
                "snapshot_id": outcome.snapshot_id,
                "created": outcome.created,
                # What the store holds: the same bytes imported again keep their first date.
                "snapshot_date": outcome.snapshot_date,
                "rows_read": result.rows_read,
                "rows_valid": result.rows_valid,
                "rows_rejected": result.rows_rejected,
                "warnings": len(result.warnings),
                # The key-roles sheet kept with the snapshot, if the workbook has one.
                "roles": None
                if beside is None
                else {"sheet": beside.sheet, "rows_valid": beside.rows_valid},
                # How many pieces the file was read in (1: in one piece).
                "pieces": pieces or 1,
            }
        )
        if not as_json:
            click.echo(
                t(
                    "cli_imported" if outcome.created else "cli_same_content",
                    lang,
                    id=outcome.snapshot_id,
                    file=file,
                    date=outcome.snapshot_date,
                    valid=result.rows_valid,
                    rejected=result.rows_rejected,
                )
            )
            if beside is not None:
                click.echo(
                    t("cli_roles_kept", lang, sheet=beside.sheet, valid=f"{beside.rows_valid:,}")
                )
            if pieces and pieces > 1:
                click.echo(
                    t("cli_read_in_pieces", lang, pieces=pieces, rows=f"{result.piece_rows:,}")
                )
            if not outcome.created and given != outcome.snapshot_date:
                click.echo(
                    t(
                        "cli_same_content_other_date",
                        lang,
                        file=file,
                        id=outcome.snapshot_id,
                        stored=outcome.snapshot_date,
                        given=given,
                    )
                )
    if as_json:
        click.echo(json.dumps({"store": str(path), "imports": outcomes}, ensure_ascii=False))
    sys.exit(code)


@cli.group(invoke_without_command=True)
@click.option(
    "--store",
    "store_path",
    default=None,
    type=click.Path(dir_okay=False),
    help=f"Snapshot store file (default ${ENV_VAR} or {default_store_path()}).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
@_guarded
def snapshots(ctx, store_path, as_json):
    """List stored snapshots (date, file, row counts, stage model)."""
    import pandas as pd

    from .store import SnapshotStore

    ctx.ensure_object(dict)
    ctx.obj["store_path"] = store_path
    if ctx.invoked_subcommand is not None:
        return
    with SnapshotStore(store_path, read_only=True, on_wait=_waiting) as store:
        table = store.snapshots()
        for col in ("snapshot_date", "first_date"):
            table[col] = pd.to_datetime(table[col]).dt.strftime("%Y-%m-%d")
        if as_json:
            records = json.loads(table.to_json(orient="records", date_format="iso"))
            click.echo(
                json.dumps({"store": str(store.path), "snapshots": records}, ensure_ascii=False)
            )
            return
        if table.empty:
            click.echo(t("cli_no_snapshots", _default_lang(), store=store.path))
            return
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            click.echo(table.to_string(index=False))


@snapshots.command(name="remove")
@click.argument("snapshot_id", type=int)
@click.option(
    "--store",
    "store_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Snapshot store file.",
)
@click.pass_context
@_guarded
def snapshots_remove(ctx, snapshot_id, store_path):
    """Remove snapshot SNAPSHOT_ID from the store (explicit; nothing else deletes)."""
    from .store import SnapshotStore

    store_path = store_path or (ctx.obj or {}).get("store_path")
    lang = _default_lang()
    where = Path(store_path) if store_path else default_store_path()
    if not where.exists():  # nothing to remove, and no store is created by asking
        _fail(t("cli_no_such_snapshot", lang, id=snapshot_id, store=where))
    with SnapshotStore(store_path, on_wait=_waiting) as store:
        lang = _default_lang()
        if not store.remove(snapshot_id):
            _fail(t("cli_no_such_snapshot", lang, id=snapshot_id, store=store.path))
        click.echo(t("cli_removed", lang, id=snapshot_id, store=store.path))


def _roles_beside_export(path: str, result: LoadResult) -> RolesResult | None:
    """The key-roles sheet beside the opportunities ``result`` read from ``path``, or None."""
    from .reading import read_bytes
    from .roles import roles_in_upload

    data, name = read_bytes(path)
    return roles_in_upload(data, name, result, stage_model=result.stage_model)


def _roles_in_workbook(path: str, model: StageModel) -> RolesResult | None:
    """The key-roles sheet of a workbook with more than one sheet (as the dashboard reads an
    upload's), or None."""
    from .reading import read_bytes, sheet_names
    from .roles import find_roles

    if Path(path).suffix.lower() not in (".xlsx", ".xlsm", ".xls", ".ods"):
        return None
    try:
        data, name = read_bytes(path)
        if len(sheet_names(data, name)) < 2:
            return None
    except UnusableFile:
        return None  # the load of the same file has said why
    return find_roles(data, name, stage_model=model)


def _roles_beside(files: Sequence[str], model: StageModel, lang: str) -> tuple:
    """The key-roles sheets inside the input workbooks; (None, ()) when none has one."""
    from .roles import combine_roles

    found = [r for r in (_roles_in_workbook(path, model) for path in files) if r is not None]
    if not found:
        return None, ()
    return combine_roles(found), tuple(r.report(lang) for r in found)


def _stored_roles(store_path: str | None) -> tuple:
    """The key-roles records kept with the stored snapshots; (None, ()) when there are none."""
    from .store import SnapshotStore

    with SnapshotStore(store_path, read_only=True, on_wait=_waiting) as store:
        roles = store.roles()
    return roles, ()


@cli.command()
@click.argument("files", nargs=-1)
@click.option(
    "--store", "store_path", default=None, help="Report on the stored snapshots (instead of FILEs)."
)
@click.option(
    "--stage-model",
    "stage_model",
    default="six_state",
    show_default=True,
    help=f"Built-in model ({', '.join(BUILTIN_MODELS)}) or a .toml file.",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="DATE",
    help="Report as of this date (default: the latest snapshot); also the snapshot "
    "date of a FILE that has none.",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="HEADER=FIELD",
    help='Map a column to a field, e.g. --map "销售阶段=stage". Repeatable.',
)
@click.option("--sheet", default=None, help="Sheet name or 0-based index.")
@click.option(
    "--shape",
    type=click.Choice(SHAPES),
    default="auto",
    show_default=True,
    help="Input shape: monthly snapshot, per-stage date columns, or history log.",
)
@click.option(
    "--dayfirst/--monthfirst",
    "dayfirst",
    default=None,
    help="Force the order of a/b/yy dates (default: decided per column).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--output", default=None, help="Write every table to this .xlsx workbook.")
@click.option(
    "--target",
    type=float,
    default=None,
    help="Bookings target of the plan year (default: won in the last 12 months).",
)
@click.option(
    "--runs",
    type=click.IntRange(100, 1_000_000),
    default=10_000,
    show_default=True,
    help="Monte Carlo runs of the forecast.",
)
@click.option(
    "--seed",
    type=int,
    default=DEFAULT_SEED,
    show_default=True,
    help="Seed of the forecast (same seed, same figures).",
)
@click.option(
    "--stages",
    type=click.Choice(["reported", "effective", "completed"]),
    default="reported",
    show_default=True,
    help="Count open deals at their reported stage, their effective stage (the lowest "
    "of the reported stage and its evidence) or their last completed stage.",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Language of messages (default from $LANG).",
)
@click.option(
    "--roles",
    "roles_paths",
    multiple=True,
    metavar="PATH",
    help="A key-roles table (one row per deal and contact; Salesforce's "
    "OpportunityContactRole export reads as one), or a workbook with a roles sheet. "
    "Repeatable.",
)
@click.option(
    "--role-consensus",
    "role_consensus",
    type=click.Choice(["lowest", "median"]),
    default="lowest",
    show_default=True,
    help="A deal's role-consensus stage: the lowest, or the lower median, of the stages its "
    "engaged decision-influencing contacts are at.",
)
@click.option(
    "--role-engagement",
    "role_engagement",
    type=click.IntRange(0, 3),
    default=1,
    show_default=True,
    help="The engagement (0-3) from which a contact counts as engaged.",
)
@_guarded
def report(
    files,
    store_path,
    stage_model,
    as_of,
    maps,
    sheet,
    shape,
    dayfirst,
    as_json,
    output,
    target,
    runs,
    seed,
    stages,
    lang,
    roles_paths,
    role_consensus,
    role_engagement,
):
    """Funnel movement of FILEs (monthly exports or a stage-history log) or of the store:
    conversion, win rates, transitions, regressions, time in stage, stalled deals and
    pipeline changes; and the plan, forecast, calibrated probabilities and scorecard."""
    from .report import build_report

    lang = lang or _default_lang()
    model = get_stage_model(stage_model)
    _warn_placeholders(model, lang)
    observations = _observations(
        files,
        store_path,
        model,
        lang,
        maps=maps,
        sheet=sheet,
        shape=shape,
        dayfirst=dayfirst,
        as_of=as_of,
    )
    from .roles import RoleRule

    rule = RoleRule(min_engagement=role_engagement, method=role_consensus)
    roles, role_files = None, ()
    if roles_paths:
        from .roles import combine_roles, read_roles

        read = []
        for path in roles_paths:
            _check_input(path)
            read.append(read_roles(path, stage_model=model))
        roles, role_files = combine_roles(read), tuple(r.report(lang) for r in read)
    elif files:
        roles, role_files = _roles_beside(files, model, lang)
    else:
        roles, role_files = _stored_roles(store_path)
    result = build_report(
        observations,
        model,
        _parse_as_of(as_of),
        outlook=True,
        target=target,
        runs=runs,
        seed=seed,
        stages=stages,
        roles=roles,
        role_rule=rule,
        role_files=role_files,
    )
    if output:
        from .export import report_workbook

        Path(output).write_bytes(report_workbook(result.tables, lang, model))
    if as_json:
        click.echo(json.dumps(result.data, ensure_ascii=False))
    elif not output:
        for name in ("funnel", "conversion", "time_in_stage", "pipeline_changes"):
            click.echo(f"\n{name}")
            click.echo(result.tables[name].to_string(index=False))
    sys.exit(EXIT_OK)


def _pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded to ``width`` terminal columns (Chinese characters take two)."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    space = " " * max(width - used, 1 if right else 0)
    return space + text if right else text + space


def _number(value: float) -> str:
    """A figure for people: thousands separated, one decimal below 100 (83.3), none when whole
    (100, 1,000)."""
    import pandas as pd

    if value is None or pd.isna(value):
        return "—"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def _observations(
    files, store_path, model, lang, *, maps=(), sheet=None, shape="auto", dayfirst=None, as_of=None
) -> pd.DataFrame:
    """Observations of FILEs (read with the reading options, ``as_of`` dating a file that has
    no snapshot date), or of the store when no file is given (exit 2 if there is nothing)."""
    import pandas as pd

    from .loading import load_export
    from .mapping import parse_map_options
    from .store import SnapshotStore

    if files:
        frames = []
        for file in files:
            _check_input(file)
            frames.append(
                load_export(
                    file,
                    stage_model=model,
                    mapping=parse_map_options(maps),
                    remembered=_remembered(store_path),
                    as_of=_parse_as_of(as_of),
                    sheet=sheet,
                    shape=shape,
                    dayfirst=dayfirst,
                ).observations()
            )
        observations = pd.concat(frames, ignore_index=True)
        if observations["snapshot_date"].notna().sum() == 0:
            _fail(t("cli_no_valid_rows", lang, files=", ".join(files)))
        return observations
    with SnapshotStore(store_path, read_only=True, on_wait=_waiting) as store:
        observations = store.observations()
    if observations.empty:
        _fail(t("cli_no_snapshots", lang, store=store_path or default_store_path()))
    return observations


@cli.command()
@click.argument("files", nargs=-1, type=click.Path())
@click.option(
    "--target",
    type=float,
    required=True,
    help="Bookings target (amount, or units with --by units).",
)
@click.option(
    "--average-deal",
    "average_deal",
    type=float,
    default=None,
    help="Average amount (or units) per won contract.",
)
@click.option(
    "--from-data",
    "from_data",
    is_flag=True,
    help="Measure the average deal, P(win | reached stage) and time to win from FILEs "
    "or the store, and compare the plan with the actual pipeline.",
)
@click.option(
    "--win-rate",
    "win_rate",
    type=float,
    default=None,
    help="P(win) of a deal at the first stage, e.g. 0.1 (default: the stage model's, "
    "or measured with --from-data).",
)
@click.option(
    "--months",
    type=click.IntRange(1, 120),
    default=12,
    show_default=True,
    help="Months in the target's period.",
)
@click.option(
    "--by",
    type=click.Choice(["amount", "units"]),
    default="amount",
    show_default=True,
    help="Whether the target and average deal are amounts or units.",
)
@click.option(
    "--period",
    type=click.Choice(["year", "next_12_months"]),
    default="year",
    show_default=True,
    help="With --from-data: the target is for the calendar year (what was won so far this "
    "year counts towards it) or for the next 12 months. The Planner page's choice.",
)
@click.option(
    "--probabilities",
    type=click.Choice(["calibrated", "nominal", "observed"]),
    default="calibrated",
    show_default=True,
    help="With --from-data: win probabilities measured and shrunk towards the model's "
    "(calibrated), the model's own (nominal), or measured alone (observed).",
)
@click.option(
    "--stage-model",
    "stage_model",
    default="six_state",
    show_default=True,
    help="Built-in model or a .toml file.",
)
@click.option(
    "--store",
    "store_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Snapshot store to measure from (with --from-data and no FILE).",
)
@click.option(
    "--stages",
    type=click.Choice(["reported", "effective", "completed"]),
    default="reported",
    show_default=True,
    help="With --from-data: count open deals at their reported, effective or last completed stage.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None)
@_guarded
def plan(
    files,
    target,
    average_deal,
    from_data,
    win_rate,
    months,
    by,
    period,
    probabilities,
    stage_model,
    store_path,
    stages,
    as_json,
    lang,
):
    """Balanced funnel: contracts needed, and the deals each stage needs per year and month.

    \b
    funnel-analytics plan --target 300 --average-deal 3 --win-rate 0.1
    → 100 contracts, 1000 a year, 83.3 a month at the top of the funnel.
    """
    from .planning import PlanError, balanced_plan

    lang = lang or _default_lang()
    model = get_stage_model(stage_model)
    _warn_placeholders(model, lang)
    if average_deal is None and not from_data:
        _fail(t("cli_plan_needs_average", lang))
    view = None
    if from_data:
        from .reality import effective_observations
        from .scenarios import build_context

        observations = effective_observations(
            _observations(files, store_path, model, lang), model, basis=stages
        )
        context = build_context(
            observations, model, probability_source=probabilities, period=period
        )
        average = context.average_deal if average_deal is None else average_deal
        try:  # the Planner page's own calculation, from the same planning context
            view = context.planner(
                target, average_deal=average, months=months, by=by, win_rate=win_rate
            )
        except PlanError as exc:
            _fail(t(exc.key, lang, **exc.params))
        result, source, vs = view.plan, context.probability_source, view.vs_actual
    else:
        if files:
            _fail(t("cli_plan_files_need_from_data", lang))
        probs = {s.key: s.probability for s in model.open_stages}
        source, average = "nominal", average_deal
        if win_rate is not None:
            probs, source = {model.keys[0]: win_rate}, "given"
        probs[model.won.key] = 1.0
        try:
            result = balanced_plan(target, average, probs, months, by=by, probability_source=source)
        except PlanError as exc:
            _fail(t(exc.key, lang, **exc.params))
        vs = None
    data = result.to_dict()
    data["stage_model"] = model.name
    if view is not None:
        from .export import json_records

        data["as_of"] = context.as_of.date().isoformat()
        data["period"] = period
        data["balance"] = view.balance
        data["vs_actual"] = json_records(vs)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        sys.exit(EXIT_OK)
    _print_plan(result, vs, data, model, target, average, by, months, source, lang)
    sys.exit(EXIT_OK)


def _print_plan(result, vs, data, model, target, average, by, months, source, lang) -> None:
    """``plan``'s text: the plan per stage, then (with --from-data) the intake and the
    stages that are too thin or stuck."""
    import pandas as pd

    names = model.stage_names(lang)
    click.echo(
        t(
            "cli_plan_title",
            lang,
            model=model.title(lang),
            target=_number(target),
            by=t(f"plan_by_{by}", lang),
            months=months,
        )
    )
    click.echo(
        "  "
        + t(
            "cli_plan_contracts",
            lang,
            contracts=_number(result.contracts),
            average=_number(average),
        )
    )
    click.echo("  " + t("cli_plan_probabilities", lang, source=t(f"prob_source_{source}", lang)))
    click.echo(
        f"  {_pad(t('cli_plan_stage', lang), 28)}{'P(win)':>8}"
        f"{_pad(t('cli_plan_per_year', lang), 12, right=True)}"
        f"{_pad(t('cli_plan_per_month', lang), 12, right=True)}"
    )
    for row in result.stages.itertuples(index=False):
        label = f"{row.stage} ({names.get(row.stage, row.stage)})"
        click.echo(
            f"  {_pad(label, 28)}{row.win_probability:>8.1%}{row.per_year:>12,.1f}"
            f"{row.per_month:>12,.1f}"
        )
    if vs is not None:
        actual = data["balance"]["actual_intake_per_month"]
        click.echo(
            "  "
            + t(
                "cli_plan_intake",
                lang,
                need=_number(result.intake_per_month),
                actual=_number(actual) if pd.notna(actual) else t("cli_plan_unmeasured", lang),
            )
        )
        rows = list(vs.itertuples(index=False))
        for i, row in enumerate(rows):
            if row.status not in ("thin", "stuck"):
                continue
            # A stuck stage is judged by the flow into the next stage: quote that one.
            shown = rows[i + 1] if row.status == "stuck" and i + 1 < len(rows) else row
            click.echo(
                "  "
                + t(
                    f"cli_plan_{row.status}",
                    lang,
                    stage=names.get(row.stage, row.stage),
                    actual=f"{shown.actual_per_month:,.1f}",
                    need=f"{shown.required_per_month:,.1f}",
                )
            )


@cli.group(name="stage-models", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None)
@click.pass_context
def stage_models(ctx, as_json, lang):
    """List the built-in stage models and their stages (or infer one: `stage-models infer`)."""
    if ctx.invoked_subcommand is not None:
        return
    lang = lang or _default_lang()
    data = {
        name: [
            {
                "key": s.key,
                "en": s.en,
                "zh": s.zh,
                "probability": s.probability,
                "checklist": [i.key for i in s.checklist],
                "criteria": [i.key for i in s.criteria],
            }
            for s in m.stages
        ]
        for name, m in BUILTIN_MODELS.items()
    }
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    for name, m in BUILTIN_MODELS.items():
        click.echo(f"{name}: {m.title(lang)}")
        for s in m.stages:
            click.echo(f"    {s.key:<24} {s.name(lang):<20} {s.probability:>5.0%}")


@stage_models.command(name="infer")
@click.argument("file")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="HEADER=FIELD",
    help='Map a column to a field, e.g. --map "销售阶段=stage". Repeatable.',
)
@click.option("--sheet", default=None, help="Sheet name or 0-based index.")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="DATE",
    help="Snapshot date when the file has none (it only orders nothing here).",
)
@click.option(
    "--output",
    default=None,
    type=click.Path(dir_okay=False),
    help="Write the model as TOML (read by --stage-model) to this file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None)
@_guarded
def stage_models_infer(file, maps, sheet, as_of, output, as_json, lang):
    """Build a stage model from FILE's own stage values: won, lost and on hold by name, open
    stages ordered by the strongest evidence in the file (history, probability, a number in
    the label, a built-in model, share later won, deal counts)."""
    import pandas as pd

    from .inference import MIN_CLOSED, evidence_text, model_to_toml, probability_text

    lang = lang or _default_lang()
    _check_input(file)
    result = _load(
        file,
        stage_model="six_state",
        maps=maps,
        as_of=as_of or "2000-01-01",
        sheet=sheet,
        shape="auto",
        dayfirst=None,
        remembered=_remembered(None),
    )
    inferred = result.inferred_model()
    toml = model_to_toml(inferred.model)
    if output:
        Path(output).write_text(toml, encoding="utf-8")
    table = inferred.table
    if as_json:
        click.echo(
            json.dumps(
                {
                    "file": result.file_name,
                    "output": output,
                    "stages": json.loads(table.to_json(orient="records", force_ascii=False)),
                    "toml": toml,
                },
                ensure_ascii=False,
            )
        )
        return
    click.echo(t("cli_infer_title", lang, file=result.file_name))
    for row in table.itertuples(index=False):
        order = "" if pd.isna(row.order) else f"{int(row.order)}."
        prob = "" if pd.isna(row.probability) else f"{row.probability:.0%}"
        source = probability_text(row, lang)
        click.echo(
            f"  {order:<4}{row.value:<28} {t('kind_' + row.kind, lang):<8} {prob:>5}  "
            f"{row.rows:>6}  {evidence_text(row.evidence, row.evidence_model, lang)}"
            + (f" · {t('infer_probability_from', lang)}: {source}" if source else "")
        )
    if inferred.placeholders:
        click.echo(t("infer_spaced_warning", lang, count=inferred.placeholders, min=MIN_CLOSED))
    if output:
        click.echo(t("cli_infer_written", lang, path=output))
    else:
        click.echo("")
        click.echo(toml)


#: Control characters (C0 but newline and tab, DEL, C1) shown visibly: text from files and
#: file names never drives the terminal (escape sequences, title changes, cursor moves).
_VISIBLE = {
    c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if c not in (0x09, 0x0A)
}


class _VisibleControls:
    """A text stream that writes control characters as ``\\x1b``-style text."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(text.translate(_VISIBLE))

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``funnel-analytics`` script."""
    sys.stdout = _VisibleControls(sys.stdout)
    sys.stderr = _VisibleControls(sys.stderr)
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="funnel-analytics",
            standalone_mode=True,
        )
    except UnicodeEncodeError as exc:
        click.echo(f"funnel-analytics: {exc}", err=True)
        sys.exit(EXIT_UNUSABLE)


if __name__ == "__main__":
    main()
