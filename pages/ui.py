"""The app's shared state and the few helpers every page uses.

State lives in one place: :func:`build_state` (called by the frame, ``dashboard.py``) reads the
sidebar, loads the chosen data through cached library calls and stores one frozen
:class:`AppState`; pages call :func:`state` and only read it.

Uploads live in ``st.session_state`` (one browser session's own), never in a shared cache
keyed by anything but the file's bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import math
import os
import re
import secrets
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from funnel_analytics.export import presented
from funnel_analytics.formatting import amount_unit, use_currency, view_currency
from funnel_analytics.funnel import (
    Filters,
    OverviewNumbers,
    apply_filters,
    as_of_dates,
    filter_options,
    is_history_log,
    overview_numbers,
)
from funnel_analytics.i18n import t as _t
from funnel_analytics.loading import LoadResult, load_export
from funnel_analytics.memo import (
    Memo,
    cache_budget,
    give_back,
    janitor_seconds,
    session_idle_seconds,
    tune_allocator,
)
from funnel_analytics.reading import UnusableFile
from funnel_analytics.reality import BASES, effective_observations, has_evidence
from funnel_analytics.report import FunnelReport, build_report
from funnel_analytics.roles import (
    RoleRule,
    RolesResult,
    combine_roles,
    consensus_by_snapshot,
    roles_in_upload,
)
from funnel_analytics.scenarios import PlanningContext, build_context
from funnel_analytics.stages import BUILTIN_MODELS, StageModel, StageModelError, load_stage_model
from funnel_analytics.store import SnapshotStore, StoreBusy, StoreError, default_store_path
from funnel_analytics.values import SOURCES as DEAL_SOURCES
from funnel_analytics.workspace import load_sample, sample_roles
from pages.sessions import SessionEnder, current_session_id

SOURCES = ("sample", "store", "upload")
MISSING = "—"  # what a table shows for a missing value (not "None")
UPLOAD_LIMIT_MB = int(st.get_option("server.maxUploadSize"))


def lang() -> str:
    """This run's language: the sidebar's choice (set before the run starts), else the
    browser's language, else Chinese."""
    return st.session_state.get("lang") or _default_lang()


def t(key: str, **params: object) -> str:
    """A UI string in the current language."""
    return _t(key, lang(), **params)


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F] if c not in (0x09, 0x0A)}


def plain(text: object) -> str:
    """Text from a file, a file name or a user, made safe for Markdown (which every Streamlit
    message, caption and label renders): its Markdown and HTML characters are escaped, so an
    image or a link written in a cell shows as the characters it is, and control characters
    show visibly."""
    return _MARKDOWN.sub(r"\\\1", str(text).translate(_CONTROL))


LOG = logging.getLogger("funnel_analytics.dashboard")
tune_allocator()  # a server gives freed memory back (funnel_analytics.memo)
#: Set (to 1) where page errors should propagate, as the test suite does: AppTest then sees
#: them. Browsers are never shown a traceback either way (client.showErrorDetails = "none").
RAISE_ENV_VAR = "FUNNEL_ANALYTICS_RAISE_PAGE_ERRORS"


def show_error(exc: BaseException) -> None:
    """A page failed: the browser gets one sentence with a short id, the server's log the
    traceback under that id (so a user's report can be matched to it)."""
    if os.environ.get(RAISE_ENV_VAR):
        raise exc
    error_id = secrets.token_hex(4)
    LOG.error("page error %s", error_id, exc_info=exc)
    st.error(t("page_error", id=error_id))


def kept(name: str, default: object) -> object:
    """The last choice made in a widget whose labels change with the language."""
    return st.session_state.get(f"_keep_{name}", default)


def keep(name: str, value: object) -> object:
    st.session_state[f"_keep_{name}"] = value
    return value


def choose(name: str, value: object) -> None:
    """Change a kept choice from outside its widget (a page changing a sidebar choice): the
    widget takes it on the next run, before it is drawn (:func:`_take_choice`). Removing the
    widget's state would not do: the browser sends the widget's old value back."""
    keep(name, value)
    st.session_state.setdefault("_pending_choices", {})[name] = value


def _take_choice(name: str) -> None:
    """Apply a choice made elsewhere to the widget ``name`` about to be drawn (its default is
    then left out, as Streamlit requires of a widget whose state is set)."""
    pending = st.session_state.get("_pending_choices", {})
    if name in pending:
        st.session_state[lang_key(name)] = pending.pop(name)


def lang_key(name: str) -> str:
    """A widget key per language: when labels change, the widget is drawn anew (with the kept
    choice as its default) instead of showing a stale selection."""
    return f"{name}__{lang()}"


def labels(prefix: str, keys: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``{key: t(prefix + key)}`` fixed now: widget ``format_func``s must not look the
    language up later (Streamlit may call them outside the script run)."""
    return {k: t(f"{prefix}{k}") for k in keys}


@dataclass(frozen=True)
class AppState:
    """Everything a page needs: language, model, the data in view and the filters."""

    lang: str
    model: StageModel
    source: str
    observations: pd.DataFrame  # filtered, every snapshot in the date range
    all_observations: pd.DataFrame  # unfiltered
    snapshot_dates: tuple[pd.Timestamp, ...]
    as_of: pd.Timestamp | None
    filters: Filters
    results: tuple[LoadResult, ...] = ()
    problem: str | None = None  # why there is no data, for the empty state
    token: str = ""  # identifies the data in view (content, model, filters): a cache key
    period: str = "year"  # the planning pages' target period (PERIODS)
    probability_source: str = "calibrated"  # where their win probabilities come from
    stages: str = "reported"  # where open deals are counted (reality.BASES)
    roles: pd.DataFrame | None = None  # the uploads' key-roles tables, combined
    role_results: tuple[RolesResult, ...] = ()  # each roles table as read
    role_rule: RoleRule = field(default_factory=RoleRule)  # the key roles' consensus rule

    @property
    def empty(self) -> bool:
        return self.all_observations.empty


DEEP_LINK = "_deep_link"  # the page a deep link asked for, while the frame runs first


def _requested_page() -> str:
    """The page path of the address this session opened (``planner`` in ``…/planner?x=1``)."""
    url = st.context.url or ""
    return url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def state() -> AppState:
    """The state the frame built for this run.

    A deep link (``/planner``) opened as a fresh server's first request is run by Streamlit's
    older "pages folder" mode, which executes the page alone, without the frame. The page
    then asks for the frame (``st.switch_page`` to ``dashboard.py``, Streamlit's public way),
    and the frame, once it has declared the navigation, switches back to the page asked for.
    """
    app = current_state()
    if app is None:
        st.session_state[DEEP_LINK] = _requested_page()
        st.switch_page("dashboard.py")
    return app


def current_state() -> AppState | None:
    """The state the frame last built for this session (None before it has run, or once the
    session's data was let go after it sat idle). It lives in the server's registry by the
    session's token, not in session state: Streamlit keeps a closed tab's session state
    indefinitely, and with it anything it references."""
    token = st.session_state.get("_memo_token")
    return None if token is None else _memos().states.get(token)


# --------------------------------------------------------------------------------------------
# Cached loading (keyed by file content and options, so widget reruns are instant)
# --------------------------------------------------------------------------------------------
def model_key(model: StageModel) -> str:
    return hashlib.sha1(repr(model).encode("utf-8")).hexdigest()[:12]


def cached_load(
    data: bytes,
    digest: str,
    name: str,
    key: str,
    _model: StageModel,
    overrides: tuple[tuple[str, str], ...],
    remembered_key: str,
    _remembered: dict,
    as_of: str | None,
) -> tuple[str, object]:
    """``("ok", LoadResult)`` or ``("error", (reason, params))``, kept in this session's
    memo by content and options: an upload's data lives with the session that uploaded it,
    never in a cache other sessions keep alive. ``digest`` names the content."""
    memo_key = ("load", digest, name, key, overrides, remembered_key, as_of)

    def load() -> tuple[str, object]:
        try:
            result = load_export(
                data,
                name,
                stage_model=_model,
                mapping=dict(overrides) or None,
                remembered=_remembered,
                as_of=as_of,
            )
        except UnusableFile as exc:
            return "error", (exc.reason, exc.params)
        return "ok", result

    return session_memo().get(memo_key, load)


# --------------------------------------------------------------------------------------------
# Bounded memory: computed views are kept in memos with a byte budget and an expiry
# (funnel_analytics.memo): one shared by all sessions for the sample and the store, and one
# per session for its uploads. The per-session memos live here, by a token, and a janitor
# thread drops those of sessions idle for longer than FUNNEL_ANALYTICS_SESSION_MINUTES
# (default 5; a tab coming back recomputes), expires old shared values, ends the sessions of
# tabs closed for longer than Streamlit's reconnect window (pages.sessions: Streamlit would
# keep them, their uploads included, for as long as the server runs) and gives freed memory
# back to the operating system.
# --------------------------------------------------------------------------------------------


@dataclass
class _Memos:
    shared: Memo
    sessions: dict[str, tuple[Memo, float]]  # token -> (memo, last used)
    lock: threading.Lock
    states: dict[str, AppState] = field(default_factory=dict)  # token -> the frame's state
    session_ids: dict[str, str] = field(default_factory=dict)  # token -> Streamlit's session
    ender: SessionEnder = field(default_factory=SessionEnder)

    def sweep(self) -> None:
        """Drop idle sessions' memos and expired shared values, end the sessions of closed
        tabs; give memory back."""
        cutoff = time.monotonic() - session_idle_seconds()
        with self.lock:
            for token in [k for k, (_m, used) in self.sessions.items() if used < cutoff]:
                self._forget(token)
            session_ids = dict(self.session_ids)
        ended = set(self.ender.sweep(session_ids.values()))
        with self.lock:
            for token in [k for k, sid in session_ids.items() if sid in ended]:
                self._forget(token)
                self.session_ids.pop(token, None)
        self.shared.expire()
        give_back()

    def _forget(self, token: str) -> None:
        """Let go of a session's memo and frame state (the caller holds the lock)."""
        self.sessions.pop(token, None)
        self.states.pop(token, None)


@st.cache_resource(show_spinner=False)
def _memos() -> _Memos:
    budget, ttl = cache_budget()
    memos = _Memos(Memo(budget, ttl), {}, threading.Lock())

    def janitor() -> None:
        while True:
            time.sleep(janitor_seconds())
            try:
                memos.sweep()
            except Exception:  # the janitor must outlive any one failure
                LOG.exception("the janitor's sweep failed")

    threading.Thread(target=janitor, name="funnel-analytics-janitor", daemon=True).start()
    return memos


def shared_memo() -> Memo:
    """The server's memo for data every session may view (the sample, the store)."""
    return _memos().shared


def session_memo() -> Memo:
    """This session's memo (its uploads and what is computed from them)."""
    token = st.session_state.get("_memo_token")
    if token is None:
        token = st.session_state["_memo_token"] = secrets.token_hex(16)
    memos = _memos()
    with memos.lock:
        found = memos.sessions.get(token)
        if found is None:
            budget, ttl = cache_budget()
            found = (Memo(budget, ttl), 0.0)
        memos.sessions[token] = (found[0], time.monotonic())
        sid = current_session_id()
        if sid is not None:
            memos.session_ids[token] = sid
    return found[0]


def memoized(app: AppState, key: tuple, compute: Callable[[], object]) -> object:
    """``compute()`` kept by ``key`` for the view's data: in this session's memo for uploads,
    in the shared one otherwise."""
    memo = session_memo() if app.source == "upload" else shared_memo()
    return memo.get((app.token, *key), compute)


@st.cache_resource(show_spinner=False)
def sample_results(key: str, _model: StageModel) -> tuple[LoadResult, ...]:
    """The bundled sample loaded with the model (from the user's cache folder when a load of
    it is kept there: a restarted server opens without loading twelve workbooks)."""
    return load_sample(_model)


@st.cache_resource(show_spinner=False)
def sample_role_results(key: str, _model: StageModel) -> tuple[RolesResult, ...]:
    """The bundled sample's key-roles records read with the model (none when its files have
    no roles sheet)."""
    found = sample_roles(_model)
    return () if found is None else (found,)


def store_path() -> str:
    return str(default_store_path())


READ_WAIT_SECONDS = 3.0  # a page waits this long for a store another program is writing


def open_store(read_only: bool = False) -> SnapshotStore:
    """The store: a page reading it waits briefly for a writer; a page writing it (save,
    remove) waits as long as the CLI does, saying so while it waits."""
    if read_only:
        return SnapshotStore(store_path(), read_only=True, wait=READ_WAIT_SECONDS)
    notice = st.empty()
    try:
        return SnapshotStore(store_path(), on_wait=lambda: notice.info(t("store_waiting")))
    finally:
        notice.empty()


def store_catalogue() -> tuple[pd.DataFrame, str | None]:
    """The stored snapshots, and why there are none to show when the store cannot be read
    (busy with another program's write, or not a store): never a busy store shown as empty."""
    try:
        with open_store(read_only=True) as store:
            return store.snapshots(), None
    except StoreBusy:
        return pd.DataFrame(), t("store_busy_page")
    except StoreError as exc:
        return pd.DataFrame(), exc.message(lang())


def stored_data(
    path: str, ids: tuple[int, ...], stamp: str
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The stored snapshots' rows and the key-roles records kept with them, read in one
    opening of the store."""

    def read() -> tuple[pd.DataFrame, pd.DataFrame | None]:
        with SnapshotStore(path, read_only=True, wait=READ_WAIT_SECONDS) as store:
            return store.observations(list(ids)), store.roles(list(ids))

    return shared_memo().get(("stored", path, ids, stamp), read)


def remembered_mappings() -> dict:
    try:
        with open_store(read_only=True) as store:
            return store.remembered_mappings()
    except StoreError:
        return {}


def saved_stage_models() -> dict[str, str]:
    """Stage models saved for a set of stage values (TOML by signature), from the store."""
    try:
        with open_store(read_only=True) as store:
            return store.saved_stage_models()
    except StoreError:
        return {}


def use_model(model: StageModel) -> None:
    """Make ``model`` the session's custom model and choose it in the sidebar."""
    st.session_state["custom_model"] = model
    choose("model_name", "custom")
    st.session_state["_model_switched"] = model.title(lang())


def uploads() -> dict[str, dict]:
    """This session's uploaded files: id -> {name, data, overrides, stage_aliases, as_of}."""
    return st.session_state.setdefault("uploads", {})


def refusal(reason: str, params: dict) -> str:
    """Why a file is refused, in the web app's words (a web variant where the message would
    name a CLI option)."""
    from funnel_analytics.i18n import MESSAGES

    key = f"{reason}_web" if f"{reason}_web" in MESSAGES else None
    if key:
        return t(key, **params)
    return UnusableFile(reason, **params).message(lang())


def upload_roles(entry: dict, model: StageModel, loaded: tuple[str, object]) -> RolesResult | None:
    """The key-roles table an upload holds (the whole file, or a sheet of a workbook beside its
    opportunities), or None; kept in this session's memo by content, model and the sheet the
    export loader took."""
    status, value = loaded
    result = value if status == "ok" else None
    digest = entry.get("sha256") or hashlib.sha256(entry["data"]).hexdigest()
    key = (
        "roles",
        digest,
        entry["name"],
        model_key(model),
        None if result is None else result.sheet,
    )
    return session_memo().get(
        key, lambda: roles_in_upload(entry["data"], entry["name"], result, stage_model=model)
    )


def load_upload(entry: dict, model: StageModel, remembered: dict) -> tuple[str, object]:
    m = model.with_aliases(entry.get("stage_aliases") or {})
    rkey = hashlib.sha1(repr(sorted(remembered.items())).encode()).hexdigest()[:12]
    as_of = entry.get("as_of")
    # The content's hash, computed once per upload rather than on every run.
    digest = entry.get("sha256")
    if digest is None:
        digest = entry["sha256"] = hashlib.sha256(entry["data"]).hexdigest()
    return cached_load(
        entry["data"],
        digest,
        entry["name"],
        model_key(m),
        m,
        tuple(sorted((entry.get("overrides") or {}).items())),
        rkey,
        remembered,
        None if as_of is None else str(as_of),
    )


# --------------------------------------------------------------------------------------------
# The sidebar and the state it builds
# --------------------------------------------------------------------------------------------
def _default_lang() -> str:
    locale = getattr(st.context, "locale", None) or ""
    return "en" if locale.lower().startswith("en") else "zh"


def _stage_model() -> StageModel:
    names = list(BUILTIN_MODELS)
    custom = st.session_state.get("custom_model")
    options = names + (["custom"] if custom else [])
    shown = {n: BUILTIN_MODELS[n].title(lang()) for n in names}
    if custom:
        shown["custom"] = t("model_custom", name=custom.name)
    current = kept("model_name", "six_state")
    _take_choice("model_name")
    if st.session_state.get(lang_key("model_name")) not in (None, *options):
        del st.session_state[lang_key("model_name")]
    default = (
        {}
        if lang_key("model_name") in st.session_state
        else {"index": options.index(current) if current in options else 0}
    )
    choice = keep(
        "model_name",
        st.sidebar.selectbox(
            t("sidebar_model"),
            options,
            key=lang_key("model_name"),
            format_func=shown.get,
            **default,
        ),
    )
    with st.sidebar.expander(t("model_upload")):
        toml = st.file_uploader(
            t("model_upload"), type=["toml"], key="model_toml", label_visibility="collapsed"
        )
        if toml is not None:
            try:
                st.session_state["custom_model"] = load_stage_model(toml.getvalue())
            except StageModelError as exc:
                st.error(str(exc))
    if choice == "custom" and custom is not None:
        return custom
    return BUILTIN_MODELS.get(choice, BUILTIN_MODELS["six_state"])


def combined_observations(
    token: str, _results: tuple[LoadResult, ...], memo: Memo | None = None
) -> pd.DataFrame:
    def combine() -> pd.DataFrame:
        frames = [r.observations().assign(source_file=r.file_name) for r in _results]
        return pd.concat(frames, ignore_index=True)

    return (memo or shared_memo()).get(("combined", token), combine)


def _load_source(
    source: str, model: StageModel
) -> tuple[pd.DataFrame, tuple, str | None, str, tuple[RolesResult, ...], pd.DataFrame | None]:
    """The data in view, why there is none, a token naming its content, the key-roles tables
    uploaded with it (or the sample's), and the key-roles records kept in the store."""
    mk = model_key(model)
    if source == "sample":
        try:
            results = sample_results(mk, model)
        except UnusableFile as exc:
            return pd.DataFrame(), (), t("no_data_sample", error=exc.message(lang())), "", (), None
        token = f"sample:{mk}"
        observations = combined_observations(token, results)
        return observations, results, None, token, sample_role_results(mk, model), None
    if source == "store":
        cat, problem = store_catalogue()
        if cat.empty:
            return pd.DataFrame(), (), problem or t("no_data_store"), "", (), None
        # Keyed on each snapshot's import time and key-roles records: roles saved later with
        # a stored snapshot show at once.
        stamp = ",".join(
            f"{i}@{x}+{n}"
            for i, x, n in zip(cat["id"], cat["imported_at"], cat["roles"], strict=True)
        )
        token = f"store:{store_path()}:{stamp}"
        try:
            obs, kept_roles = stored_data(store_path(), tuple(cat["id"].tolist()), stamp)
        except StoreBusy:
            return pd.DataFrame(), (), t("store_busy_page"), "", (), None
        return obs, (), None, token, (), kept_roles
    remembered = remembered_mappings()
    results = []
    refused = []
    roles = []
    for entry in uploads().values():
        status, value = load_upload(entry, model, remembered)
        found = upload_roles(entry, model, (status, value))
        if found is not None:
            roles.append(found)
            if status != "ok" or found.sheet == value.sheet:
                continue  # the upload is a roles table, not an export
        if status == "ok":
            results.append(value)
        else:
            refused.append(
                t("upload_refused", file=plain(entry["name"]), reason=plain(refusal(*value)))
            )
    if not results:
        # Nothing loads, but files were uploaded: say which and why, not "nothing uploaded".
        problem = " ".join(refused) or t("roles_without_export" if roles else "no_data_upload")
        return pd.DataFrame(), (), problem, "", tuple(roles), None
    token = (
        "upload:"
        + mk
        + ":"
        + ",".join(
            f"{r.content_sha256}:{hash(repr(sorted(r.mapping.fields.items())))}" for r in results
        )
    )
    token += "|roles:" + ",".join(r.content_sha256 for r in roles)
    obs = combined_observations(token, tuple(results), session_memo())
    return obs, tuple(results), None, token, tuple(roles), None


def _filters(obs: pd.DataFrame, dates: list[pd.Timestamp]) -> Filters:
    st.sidebar.subheader(t("sidebar_filters"))
    opts = filter_options(obs)
    source_label = labels("source_", list(DEAL_SOURCES))
    teams = st.sidebar.multiselect(
        t("filter_team"), opts["team"], key="f_team", placeholder=t("filter_all")
    )
    owners = st.sidebar.multiselect(
        t("filter_owner"), opts["owner"], key="f_owner", placeholder=t("filter_all")
    )
    chosen_sources = [v for v in kept("f_source", []) if v in opts["source"]]
    sources = keep(
        "f_source",
        st.sidebar.multiselect(
            t("filter_source"),
            opts["source"],
            default=chosen_sources,
            key=lang_key("f_source"),
            format_func=lambda s: source_label.get(s, s),
            placeholder=t("filter_all"),
        ),
    )
    grades = st.sidebar.multiselect(
        t("filter_grade"), opts["grade"], key="f_grade", placeholder=t("filter_all")
    )
    start = end = None
    if len(dates) > 1:
        current = st.session_state.get("f_dates")
        if current is not None and not (
            isinstance(current, tuple | list) and all(d in dates for d in current)
        ):
            del st.session_state["f_dates"]  # other data loaded: its dates no longer apply
        # The range default must be the widget's value: it is what makes the slider a range.
        start, end = st.sidebar.select_slider(
            t("filter_dates"),
            options=dates,
            value=(dates[0], dates[-1]),
            key="f_dates",
            format_func=lambda d: pd.Timestamp(d).strftime("%Y-%m"),
        )
        if is_history_log(obs):
            # A log's dates are month ends: the range starts with the first month's changes.
            start = pd.Timestamp(start).to_period("M").start_time
    return Filters(tuple(teams), tuple(owners), tuple(sources), tuple(grades), start, end)


def _localize_uploaders() -> None:
    """Streamlit writes its file uploaders' own words ("Drag and drop files here", "Limit …
    per file", "Upload") in English only. In Chinese they are replaced by CSS with the
    same words in Chinese; the limit stays the server's (``server.maxUploadSize``)."""
    if lang() != "zh":
        return
    limit = st.get_option("server.maxUploadSize")
    drop, each, browse = t("uploader_drop"), t("uploader_limit", mb=limit), t("uploader_browse")
    st.html(
        f"""<style>
[data-testid="stFileUploaderDropzoneInstructions"] span,
[data-testid="stFileUploaderDropzoneInstructions"] small {{ display: none; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div::before {{
  content: "{drop}"; display: block; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {{
  content: "{each}"; display: block; font-size: 0.8em; opacity: 0.6; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{
  display: none; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after {{
  content: "{browse}"; }}
</style>"""
    )


def build_state(page: str = "") -> AppState:
    """Draw the shared sidebar and store the resulting :class:`AppState` for the pages.

    ``page`` is the page about to run (its address): the planning choices are drawn for the
    planning pages only."""
    st.sidebar.segmented_control(
        _t("sidebar_language", lang()),
        ["zh", "en"],
        key="lang",
        default=_default_lang(),
        format_func={"zh": "中文", "en": "English"}.get,
    )
    _take_choice("source")
    default = (
        {}
        if lang_key("source") in st.session_state
        else {"index": SOURCES.index(kept("source", "sample"))}
    )
    source = keep(
        "source",
        st.sidebar.radio(
            t("sidebar_source"),
            SOURCES,
            key=lang_key("source"),
            format_func=labels("source_", SOURCES).get,
            **default,
        ),
    )
    _localize_uploaders()
    model = _stage_model()
    obs, results, problem, token, role_results, kept_roles = _load_source(source, model)
    # Kept in the memo: the same frame on every run (a download holds it weakly).
    # The sample's and the store's roles are the same for every visitor: computed once.
    memo = session_memo() if source == "upload" else shared_memo()
    roles = (
        memo.get(("roles", token), lambda: combine_roles(role_results))
        if role_results
        else kept_roles
    )
    rule = role_rule()
    consensus = _consensus(obs, model, roles, token, rule, memo)
    if rule != RoleRule():
        token += f"|rule:{rule.method}:{rule.min_engagement}"
    stages = _stage_view(obs, model, source, token, page, consensus)
    dates = as_of_dates(obs)  # snapshot dates, or a stage-history log's month ends
    as_of = None
    if dates:
        if "as_of" in st.session_state and st.session_state["as_of"] not in dates:
            del st.session_state["as_of"]  # other data loaded: that date no longer exists
        as_of = st.sidebar.select_slider(
            t("sidebar_as_of"),
            options=dates,
            value=dates[-1],
            key="as_of",
            format_func=lambda d: pd.Timestamp(d).strftime("%Y-%m-%d"),
        )
        filters = _filters(obs, dates)
    else:
        filters = Filters()
    if stages != "reported":
        obs = memo.get(
            (token, model_key(model), stages),
            lambda: effective_observations(obs, model, consensus, basis=stages),
        )
    period, probability_source = _planning_choices(page in PLANNING_PAGES and bool(dates))
    app = AppState(
        lang=lang(),
        model=model,
        source=source,
        observations=apply_filters(obs, filters) if len(obs) else obs,
        all_observations=obs,
        snapshot_dates=tuple(dates),
        as_of=as_of,
        filters=filters,
        results=results,
        problem=problem,
        token=f"{token}|{model_key(model)}|{filters!r}|{stages}",
        period=period,
        probability_source=probability_source,
        stages=stages,
        roles=roles,
        role_results=role_results,
        role_rule=rule,
    )
    session_memo()  # the session's token, and it is in use
    memos = _memos()
    with memos.lock:
        memos.states[st.session_state["_memo_token"]] = app
    return app


#: The page that compares the reported stage with its evidence shows both, whatever the switch.
STAGE_CHECK_PAGE = "stage-check"


#: The consensus rules offered on the Stage check page (RoleRule.method).
ROLE_METHODS = ("lowest", "median")


def role_rule() -> RoleRule:
    """The key roles' consensus rule chosen on the Stage check page (kept for the session;
    default :class:`~funnel_analytics.roles.RoleRule`): it decides the consensus stage on
    that page and in the effective stage everywhere."""
    default = RoleRule()
    method = kept("role_method", default.method)
    engagement = kept("role_engagement", default.min_engagement)
    return dataclasses.replace(
        default,
        method=method if method in ROLE_METHODS else default.method,
        min_engagement=int(engagement) if engagement in (0, 1, 2, 3) else default.min_engagement,
    )


def _consensus(
    obs: pd.DataFrame,
    model: StageModel,
    roles: pd.DataFrame | None,
    token: str,
    rule: RoleRule,
    memo: Memo,
) -> pd.Series | None:
    """The key roles' stage of each deal at each snapshot date (the roles tables under
    ``rule``, each snapshot judged by the records dated up to it), for the effective stage;
    None without roles. Kept in ``memo``."""
    if roles is None or roles.empty or obs.empty:
        return None
    return memo.get(
        ("consensus", token, model_key(model), rule),
        lambda: consensus_by_snapshot(obs, roles, model, rule),
    )


def _stage_view(
    obs: pd.DataFrame,
    model: StageModel,
    source: str,
    token: str,
    page: str,
    consensus: pd.Series | None = None,
) -> str:
    """The sidebar's choice of the stage open deals are counted at (``reality.BASES``): the
    reported one, the effective one or the last completed one, each offered when the data
    carries its evidence; the Stage check page (which shows them side by side) always counts
    the reported stage."""
    memo = session_memo() if source == "upload" else shared_memo()
    offered = ["reported"] + [
        basis
        for basis in BASES[1:]
        if len(obs)
        and memo.get(
            (token, model_key(model), "has_evidence", basis),
            lambda basis=basis: has_evidence(obs, model, consensus, basis=basis),
        )
    ]
    current = kept("stage_basis", "reported")
    _take_choice("stage_basis")
    if st.session_state.get(lang_key("stage_basis")) not in (None, *offered):
        del st.session_state[lang_key("stage_basis")]  # other data: that evidence is not there
    default = (
        {}
        if lang_key("stage_basis") in st.session_state
        else {"index": offered.index(current) if current in offered else 0}
    )
    basis = keep(
        "stage_basis",
        st.sidebar.selectbox(
            t("sidebar_effective"),
            offered,
            key=lang_key("stage_basis"),
            format_func=labels("basis_", BASES).get,
            disabled=len(offered) == 1,
            help=t("sidebar_effective_help" if len(offered) > 1 else "sidebar_effective_none"),
            **default,
        ),
    )
    return "reported" if page == STAGE_CHECK_PAGE else basis


def cached_overview(token: str, as_of: pd.Timestamp | None, _app: AppState) -> OverviewNumbers:
    """The Overview's numbers, computed once per data, model, filters and as-of date."""
    return memoized(
        _app, ("overview", as_of), lambda: overview_numbers(_app.observations, _app.model, as_of)
    )


def cached_report(token: str, as_of: pd.Timestamp | None, _app: AppState) -> FunnelReport:
    """The movement report of the view, computed once per data, model, filters and date."""
    return memoized(
        _app,
        ("report", as_of),
        lambda: build_report(
            _app.observations, _app.model, as_of, roles=_app.roles, role_rule=_app.role_rule
        ),
    )


def cached_context(
    token: str,
    as_of: pd.Timestamp | None,
    probability_source: str,
    period: str,
    include_new_deals: bool,
    _app: AppState,
) -> PlanningContext:
    """What planning and forecasting measure from the view (probabilities, timing, intake),
    computed once per data, model, filters, date and choices."""
    report = cached_report(token, as_of, _app)
    return memoized(
        _app,
        ("context", as_of, probability_source, period, include_new_deals),
        lambda: build_context(
            _app.observations,
            _app.model,
            as_of,
            probability_source,
            history=report.history,
            include_new_deals=include_new_deals,
            period=period,
            durations=report.tables["time_in_stage"],
        ),
    )


PLANNING_PAGES = ("planner", "forecast", "scenarios", "team")


def _planning_choices(shown: bool) -> tuple[str, str]:
    """The target period and the source of win probabilities, drawn in the sidebar on the
    planning pages (one choice for all four, visible wherever it applies) and remembered
    while other pages are open."""
    from funnel_analytics.scenarios import PERIODS, PROBABILITY_SOURCES

    period, source = kept("plan_period", "year"), kept("prob_source", "calibrated")
    if not shown:
        return period, source
    st.sidebar.subheader(t("sidebar_planning"))
    period = keep(
        "plan_period",
        st.sidebar.segmented_control(
            t("plan_period"),
            list(PERIODS),
            default=period,
            key=lang_key("plan_period"),
            format_func=labels("period_", PERIODS).get,
        )
        or "year",
    )
    source = keep(
        "prob_source",
        st.sidebar.segmented_control(
            t("prob_source"),
            list(PROBABILITY_SOURCES),
            default=source,
            key=lang_key("prob_source"),
            format_func=labels("prob_choice_", PROBABILITY_SOURCES).get,
            help=t("prob_source_help"),
        )
        or "calibrated",
    )
    return period, source


def amount_input(label: str, value: float, key: str, help: str | None = None) -> float:
    """A number input in the display unit (万元 in Chinese, thousands in English); returns the
    amount in the base unit.

    The default is shown to the nearest 100 in either language (0.01 万元, 0.1 k), so what is
    worked out from it does not change with the language."""
    div, unit = amount_unit(lang())
    decimals = round(math.log10(div / 100))
    shown = st.number_input(
        f"{label}（{unit}）" if lang() == "zh" else f"{label} ({unit})",
        min_value=0.0,
        value=float(round(value / div, decimals)),
        step=10.0,
        format=f"%.{decimals}f",
        key=key,
        help=help,
    )
    return float(shown) * div


def full_report_button(app: AppState, key: str) -> None:
    """Download the whole report (movement, plan, forecast, calibration, scorecard) as one
    workbook in the current language; built when clicked, not on every run."""
    # The button keeps this callable after the run: it must not keep the data alive (a closed
    # tab's session is kept by Streamlit), so it holds the memo's frame by a weak reference.
    held, filters = weakref.ref(app.all_observations), app.filters
    held_roles = None if app.roles is None else weakref.ref(app.roles)
    model, as_of, language, rule = app.model, app.as_of, lang(), app.role_rule

    def build() -> bytes:
        from funnel_analytics.export import report_workbook, write_frames_xlsx

        frame = held()
        if frame is None:  # the session sat idle and its data was let go
            note = pd.DataFrame({"": [_t("download_expired", language)]})
            return write_frames_xlsx({_t("download_full_report", language): note})
        observations = apply_filters(frame, filters) if len(frame) else frame
        roles = None if held_roles is None else held_roles()
        report = build_report(observations, model, as_of, outlook=True, roles=roles, role_rule=rule)
        return report_workbook(report.tables, language, model)

    st.download_button(
        t("download_full_report"),
        build,
        file_name="funnel-report.xlsx",
        mime=xlsx_mime(),
        on_click="ignore",
        key=key,
        help=t("download_full_report_help"),
        icon=":material/download:",
    )


def download_table(
    frame: pd.DataFrame, name: str, key: str, model: StageModel | None = None
) -> None:
    """A download button for one table as .xlsx, presented by its contract (headers in the
    current language, formats by kind, stages by name, text neutralised), with the columns'
    definitions; built when clicked."""
    language = lang()

    def build() -> bytes:
        from funnel_analytics.export import report_workbook

        return report_workbook({name: frame}, language, model)

    st.download_button(
        t("download_xlsx"),
        build,
        file_name=f"{name}.xlsx",
        mime=xlsx_mime(),
        on_click="ignore",
        key=key,
    )


# How each declared kind of column is shown on screen (see funnel_analytics.contracts).
_SCREEN_FORMATS = {
    "share": "%.1f%%",  # presented() gives shares as percent points
    "count": "localized",
    "days": "localized",
    "amount": "localized",
    "number": "%.1f",
    "multiplier": "%.2f",
}


def show_table(
    frame: pd.DataFrame,
    table: str | None = None,
    model: StageModel | None = None,
    unit: tuple[float, str] | None = None,
    **kwargs: object,
) -> None:
    """A table as its contract declares it (``table`` names it): headers in the current
    language, stages by name, amounts in the view's ``unit`` (else the language's; named in
    the header), counts and days whole, shares as percentages, dates without times, months
    as months."""
    shown, kinds = presented(frame, lang(), table, model, screen=True, unit=unit)
    config: dict = {}
    for head, kind in kinds.items():
        if kind in _SCREEN_FORMATS and pd.api.types.is_numeric_dtype(shown[head]):
            config[head] = st.column_config.NumberColumn(format=_SCREEN_FORMATS[kind])
        elif kind in ("date", "month") and pd.api.types.is_datetime64_any_dtype(shown[head]):
            config[head] = st.column_config.DateColumn(
                format="YYYY-MM" if kind == "month" else "YYYY-MM-DD"
            )
        elif kind == "timestamp" and pd.api.types.is_datetime64_any_dtype(shown[head]):
            config[head] = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
    config.update(kwargs.pop("column_config", None) or {})
    st.dataframe(
        shown, hide_index=True, width="stretch", column_config=config, placeholder=MISSING, **kwargs
    )


def empty_state(app: AppState) -> bool:
    """Show what to do when there is nothing to draw; True when the page should stop."""
    left_out = (
        sum(int((r.findings["rule"] == "unknown_stage").sum()) for r in app.results)
        if app.source == "sample"
        else 0
    )
    if left_out:
        # The sample company records its deals with the six-state funnel and the eight-stage
        # process: another model knows none of their open stages (at most the won and lost
        # ones, by name), so its funnel would be empty. Said, with the way back.
        six = BUILTIN_MODELS["six_state"].title(lang())
        st.warning(
            t(
                "sample_no_valid_rows",
                rejected=f"{left_out:,}",
                total=f"{sum(r.rows_read for r in app.results):,}",
                model=app.model.title(lang()),
                sample_model=six,
                eight_model=BUILTIN_MODELS["eight_stage"].title(lang()),
            )
        )
        if st.button(t("sample_use_six_state", model=six), type="primary"):
            choose("model_name", "six_state")
            st.rerun()
        return True
    if app.empty and app.source == "upload" and app.results:
        # Files were read, but no row of them is valid: say why, file by file, with the way
        # out (never "nothing uploaded": the manager has just uploaded).
        if not set_aside_banner(app):
            rejected = sum(r.rows_rejected for r in app.results)
            st.warning(t("upload_no_valid_rows", rejected=f"{rejected:,}"))
        return True
    if app.empty:
        st.info(app.problem or t("no_data_upload"))
        return True
    if app.observations.empty:
        st.warning(t("no_rows_filtered"))
        return True
    return False


def use_proposed_model(name: str) -> None:
    """Switch the sidebar's stage model to the built-in ``name`` (the Data page says so)."""
    choose("model_name", name)
    st.session_state["_model_switched"] = BUILTIN_MODELS[name].title(lang())
    st.rerun()


def set_aside_banner(app: AppState) -> bool:
    """Above every page drawn from uploads: the rows left out because the stage model does
    not know their stage, file by file, with the built-in model that knows them (one click
    switches to it) or the way to map them on the Data page. True when it said anything."""
    said = False
    if app.source != "upload":
        return said
    for i, r in enumerate(app.results):
        unknown = int((r.findings["rule"] == "unknown_stage").sum())
        if not unknown:
            continue
        said = True
        words = {
            "file": plain(r.file_name),
            "rows": f"{unknown:,}",
            "model": app.model.title(lang()),
        }
        proposal = r.proposed_model()
        if proposal is None:
            st.warning(t("stages_set_aside", **words))
            continue
        name, matched, rows = proposal
        title = BUILTIN_MODELS[name].title(lang())
        st.warning(
            t(
                "stages_set_aside_proposal",
                **words,
                title=title,
                matched=f"{matched:,}",
                total=f"{rows:,}",
            )
        )
        if st.button(
            t("model_proposal_use", title=plain(title)), key=f"aside_{i}_{name}", type="primary"
        ):
            use_proposed_model(name)
    return said


def open_page(title: str, caption: str | None = None) -> AppState:
    """Start a page that shows data: its title and caption, then the empty state (and stop)
    when there is nothing to show. Returns the app state."""
    app = state()
    # Chinese units name the currency of the rows in view (万元, 万欧元; 万 alone for none or
    # several), so a euro export's axes do not read 万元.
    rows = app.observations
    use_currency(view_currency(rows["currency"]) if "currency" in rows else None)
    st.title(t(title))
    if caption:
        st.caption(t(caption))
    narrowed = active_filters(app.filters)
    if narrowed:
        st.caption(t("filters_active", filters=narrowed), help=t("filters_active_help"))
    if app.stages != "reported":
        st.caption(t(f"stages_{app.stages}_active"), help=t("sidebar_effective_help"))
    if empty_state(app):
        st.stop()
    set_aside_banner(app)
    if title in WEIGHING_PAGES:
        placeholder_banner(app.model)
        currency_banner(app.observations)
    return app


#: The pages whose figures weigh deals by the stage model's win probabilities.
WEIGHING_PAGES = (
    "overview_title",
    "forecast_title",
    "planner_title",
    "scenarios_title",
    "team_title",
    "check_title",
)


def placeholder_text(model: StageModel) -> str | None:
    """What the model's placeholder probabilities mean for the figures, or None if it has none
    (a file's own stages, used before their figures were set)."""
    spaced = model.placeholder_stages
    if not spaced:
        return None
    sep = "、" if lang() == "zh" else ", "
    return t(
        "model_placeholders",
        count=len(spaced),
        stages=sep.join(f"{plain(s.name(lang()))} {s.probability:.0%}" for s in spaced),
    )


def currency_banner(observations: pd.DataFrame) -> None:
    """Warn that the amounts in view are in several currencies, added up as they are."""
    if "currency" not in observations:
        return
    found = observations["currency"].dropna().unique()
    if len(found) > 1:
        sep = "、" if lang() == "zh" else ", "
        st.warning(
            t("mixed_currencies", count=len(found), currencies=sep.join(sorted(map(str, found)))),
            icon="⚠️",
        )


def placeholder_banner(model: StageModel) -> None:
    """Warn that weighted figures rest on placeholder win probabilities, where they do."""
    said = placeholder_text(model)
    if said:
        st.warning(said, icon="⚠️")


def active_filters(filters: Filters) -> str:
    """The sidebar's filters in force, in words ("Team: East, West · Grade: A"); "" if none."""
    sep = "、" if lang() == "zh" else ", "
    sources = labels("source_", list(DEAL_SOURCES))
    parts = [
        f"{t(label)}{'：' if lang() == 'zh' else ': '}{sep.join(sources.get(v, v) for v in values)}"
        for label, values in (
            ("filter_team", filters.teams),
            ("filter_owner", filters.owners),
            ("filter_source", filters.sources),
            ("filter_grade", filters.grades),
        )
        if values
    ]
    return " · ".join(plain(p) for p in parts)


def xlsx_mime() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
