"""Data: upload exports, see what was understood, fix mappings and stages, save snapshots."""

from __future__ import annotations

import hashlib
import re

import pandas as pd
import streamlit as st

from funnel_analytics.export import rejected_rows_xlsx
from funnel_analytics.fields import field_label, field_names
from funnel_analytics.formatting import format_date
from funnel_analytics.i18n import t as tr
from funnel_analytics.inference import (
    MIN_CLOSED,
    build_model,
    evidence_text,
    model_to_toml,
    probability_text,
    stage_signature,
)
from funnel_analytics.loading import MAPPING
from funnel_analytics.mapping import IGNORE
from funnel_analytics.stages import BUILTIN_MODELS, LOST, ON_HOLD, load_stage_model, model_fit
from funnel_analytics.store import StoreError, begin_encoding
from pages.ui import (
    MISSING,
    UPLOAD_LIMIT_MB,
    choose,
    keep,
    kept,
    lang_key,
    load_upload,
    open_store,
    plain,
    refusal,
    remembered_mappings,
    saved_stage_models,
    session_memo,
    show_table,
    state,
    store_catalogue,
    store_path,
    t,
    upload_roles,
    uploads,
    use_model,
    use_proposed_model,
    xlsx_mime,
)

app = state()
lang, model = app.lang, app.model
st.title(t("data_title"))
st.caption(t("data_intro"))
files = st.file_uploader(
    t("upload_label"),
    type=["xlsx", "xlsm", "xls", "ods", "csv"],
    accept_multiple_files=True,
    key="upload",
    help=t("upload_help", limit=UPLOAD_LIMIT_MB),
)
entries = uploads()
# Uploads stay until the user removes them: the uploader forgets its files when the page is
# left, the session does not. A file already here (same content) is recognised, not doubled.
added = False
seen = st.session_state.setdefault("_seen_uploads", set())
for f in files or []:
    if f.file_id in seen:
        continue  # handled on an earlier run (and possibly removed since: it stays removed)
    seen.add(f.file_id)
    data = f.getvalue()
    fid = hashlib.sha256(data).hexdigest()[:16]
    if fid in entries:
        st.toast(t("upload_again", name=plain(entries[fid]["name"])))
    else:
        entries[fid] = {
            "name": f.name,
            "data": data,
            "overrides": {},
            "stage_aliases": {},
            "as_of": None,
        }
        added = True
if added:
    if kept("source", "sample") != "upload":
        # The first upload switches the data source to the uploaded files, and says so.
        choose("source", "upload")
        st.session_state["_source_switched"] = True
    # The frame built this run's state before these files were registered: build it again.
    st.rerun()
if st.session_state.pop("_source_switched", False):
    st.info(t("source_switched"))
if "_model_switched" in st.session_state:
    st.success(t("model_switched", title=plain(st.session_state.pop("_model_switched"))))
remembered = remembered_mappings()
results = {}
if entries:
    bar = st.progress(0.0)
    for i, (fid, entry) in enumerate(entries.items(), start=1):
        bar.progress(
            (i - 1) / len(entries),
            text=t("progress_reading", name=plain(entry["name"]), i=i, n=len(entries)),
        )
        results[fid] = load_upload(entry, model, remembered)
    bar.progress(1.0, text=t("progress_done", n=len(entries)))

fields = [
    "",
    *field_names(),
    *model.all_checklist_columns,
    *(f"stage_date.{k}" for k in model.keys),
    *(model.evaluation.columns if model.evaluation else ()),
]
_item_names = {item.key: item.name(lang) for _c, (_s, item) in model.all_checklist_columns.items()}
_factor_names = {f.key: f.name(lang) for f in model.evaluation.factors} if model.evaluation else {}


def field_text(name: str | None) -> str:
    """A field as the mapping editor shows it: its name in the reader's language."""
    if not name:
        return t("field_ignore")
    if name.startswith("factor."):
        key = name.removeprefix("factor.")
        return t("field_factor", name=_factor_names.get(key, key))
    return field_label(name, lang, model.stage_names(lang), _item_names, model.criteria_columns)


stage_choices = ["", *model.keys, LOST, ON_HOLD]
stage_names = {
    **model.stage_names(lang),
    LOST: t("outcome_lost"),
    ON_HOLD: t("outcome_on_hold"),
    "": t("unknown_keep"),
}

KINDS = ("open", "won", "lost", "on_hold")
WELL = 0.9  # a model that knows this share of the rows' stage values fits well


def file_stages_editor(fid: str, file_name: str, r, signature: str) -> None:
    """ "Use this file's stages": the inferred model, its order and reasons, editable; then
    used, saved for files with the same stage values, or downloaded as TOML."""
    inferred = r.inferred_model()
    full = inferred.table
    table = full.drop(
        columns=["key", "evidence_model", "probability_source", "closed_deals", "won_deals"]
    )
    kinds = {k: t(f"kind_{k}") for k in KINDS}
    said = [
        evidence_text(e, m, lang)
        for e, m in zip(full["evidence"], full["evidence_model"], strict=True)
    ]
    source = [probability_text(row, lang) for row in full.itertuples(index=False)]
    shown = table.assign(kind=table["kind"].map(kinds), evidence=said)
    shown.insert(shown.columns.get_loc("probability") + 1, "probability_from", source)
    where_from = t("infer_probability_help", min=MIN_CLOSED)
    with st.expander(t("infer_title"), expanded=True):
        st.caption(t("infer_intro"))
        if inferred.placeholders:
            st.warning(
                t("infer_spaced_warning", count=inferred.placeholders, min=MIN_CLOSED), icon="⚠️"
            )
        edited = st.data_editor(
            shown,
            key=f"infer_{fid}",
            hide_index=True,
            width="stretch",
            placeholder=MISSING,
            disabled=["value", "rows", "evidence", "probability_from"],
            column_config={
                "value": st.column_config.TextColumn(t("infer_value")),
                "kind": st.column_config.SelectboxColumn(
                    t("infer_kind"), options=list(kinds.values()), required=True
                ),
                "rows": st.column_config.NumberColumn(t("infer_rows"), format="localized"),
                "order": st.column_config.NumberColumn(
                    t("infer_order"), min_value=1, step=1, help=t("infer_order_help")
                ),
                "evidence": st.column_config.TextColumn(t("infer_evidence")),
                "probability": st.column_config.NumberColumn(
                    t("infer_probability"),
                    min_value=0.0,
                    max_value=1.0,
                    format="percent",
                    help=where_from,
                ),
                "probability_from": st.column_config.TextColumn(
                    t("infer_probability_from"),
                    width="medium",
                    help=where_from,
                ),
                "en": st.column_config.TextColumn(t("infer_en")),
                "zh": st.column_config.TextColumn(t("infer_zh")),
                "max_days": st.column_config.NumberColumn(
                    t("infer_max_days"), min_value=1, step=1, help=t("infer_max_days_help")
                ),
            },
        )
        back = {v: k for k, v in kinds.items()}
        name = re.sub(r"\W+", "_", file_name.rsplit(".", 1)[0]).strip("_") or "file_stages"
        # A figure left as inferred keeps its source (a placeholder stays one, and is warned of
        # wherever deals are weighed); one the user typed is theirs.
        unchanged = edited["probability"].eq(full["probability"])
        model = build_model(
            edited.assign(
                kind=edited["kind"].map(back).fillna("open"),
                probability_source=full["probability_source"].where(unchanged, None),
            ),
            name,
        )
        st.caption(t("infer_preview", stages=" → ".join(plain(s.name(lang)) for s in model.stages)))
        left, right = st.columns(2)
        if left.button(
            t("infer_use"), key=f"infer_use_{fid}", type="primary", help=t("infer_use_help")
        ):
            try:
                with open_store() as store:
                    store.save_stage_model(signature, model_to_toml(model))
            except StoreError:
                st.toast(t("infer_not_saved"))
            use_model(model)
            st.rerun()
        right.download_button(
            t("infer_download"),
            model_to_toml(model).encode("utf-8"),
            file_name=f"{name}.toml",
            mime="application/toml",
            on_click="ignore",
            key=f"infer_dl_{fid}",
        )


def roles_findings(found, fid: str) -> None:
    """A roles table's errors and warnings (row, column, value, rule, message)."""
    errors, warnings = found.findings_table("error", lang), found.findings_table("warning", lang)
    if errors.empty and warnings.empty:
        st.success(t("no_findings"))
        return
    tab_e, tab_w = st.tabs([t("errors_title", n=len(errors)), t("warnings_title", n=len(warnings))])
    with tab_e:
        show_table(errors, "findings")
    with tab_w:
        show_table(warnings, "findings")


def roles_file(found, fid: str) -> None:
    """An upload that is a key-roles table: what was read, the mapping, the findings."""
    summary = t(
        "file_summary",
        read=found.rows_read,
        valid=found.rows_valid,
        rejected=found.rows_rejected,
        warnings=len(found.warnings),
    )
    st.markdown(f"**{summary}**")
    st.caption(
        t(
            "roles_file_detected",
            format=found.file_format,
            sheet=plain(found.sheet or "—"),
            header_row=found.header_row,
        )
        + " "
        + t("roles_file_kept")
    )
    with st.popover(t("notes_title")):
        for note in found.note_texts(lang):
            st.markdown(f"- {plain(note)}")
    st.subheader(t("mapping_title"))
    table = found.mapping_table()
    table["field"] = [t(f"role_field_{f}") if f else "" for f in table["field"]]
    table["origin"] = [t(f"origin_{o}") for o in table["origin"]]
    show_table(table, "mapping")
    roles_findings(found, fid)


# Uploads that are key-roles tables on their own (not a sheet beside an export's rows): their
# records are kept with the snapshots saved from this session's exports, for the deals each
# export holds.
roles_alone = {}
for fid, (status, value) in results.items():
    found = upload_roles(entries[fid], model, (status, value))
    if found is not None and (status == "error" or found.sheet == value.sheet):
        roles_alone[fid] = found


def alone_roles_for(r) -> pd.DataFrame | None:
    """The records of the roles files uploaded on their own that name the export's deals."""
    if not roles_alone:
        return None
    ids = set(r.opportunities["opportunity_id"].astype("object").dropna())
    kept = [
        f.roles[f.roles["opportunity_id"].astype("object").isin(ids)] for f in roles_alone.values()
    ]
    kept = [k for k in kept if len(k)]
    return pd.concat(kept, ignore_index=True) if kept else None


for fid, (status, value) in results.items():
    entry = entries[fid]
    with st.expander(plain(entry["name"]), expanded=True):
        if st.button(t("upload_remove"), key=f"drop_{fid}", icon=":material/delete:"):
            entries.pop(fid, None)
            session_memo().clear()  # its data and what was computed from it go with it
            st.rerun()
        found = upload_roles(entry, model, (status, value))
        if found is not None and (status == "error" or found.sheet == value.sheet):
            roles_file(found, fid)
            continue
        if status == "error":
            reason, params = value
            if reason == "no_snapshot_date":
                # Ask in one sentence, with a default and where it came from; no CLI words.
                origin = tr(f"snapshot_origin_{params['origin']}", lang, **params)
                st.info(t("as_of_question", proposed=params["proposed"], origin_text=origin))
                picked = st.date_input(
                    t("as_of_needed"),
                    value=pd.Timestamp(params["proposed"]).date(),
                    key=f"asof_{fid}",
                )
                if (
                    st.button(t("as_of_use"), key=f"asof_ok_{fid}", type="primary")
                    and picked is not None
                ):
                    entry["as_of"] = pd.Timestamp(picked)
                    st.rerun()
                continue
            st.error(f"{t('file_refused')}: {plain(refusal(reason, params))}")
            needed = {"no_stage_column": "stage", "no_id_column": "opportunity_id"}.get(reason)
            if needed:
                headers = str(params.get("headers", "")).split("、")
                col = st.selectbox(
                    t("pick_column", field=field_text(needed)),
                    ["", *headers],
                    key=f"pick_{needed}_{fid}",
                )
                if col:
                    entry["overrides"] = {**entry["overrides"], col: needed}
                    st.rerun()
            continue
        r = value
        proposal = r.proposed_model()
        if proposal is not None:
            name, matched, rows = proposal
            title = BUILTIN_MODELS[name].title(lang)
            st.warning(
                t(
                    "model_proposal",
                    title=title,
                    matched=matched,
                    rows=rows,
                    mine=model_fit(r.stage_counts, r.stage_model),
                )
            )
            if st.button(
                t("model_proposal_use", title=plain(title)),
                key=f"model_{fid}_{name}",
                type="primary",
            ):
                use_proposed_model(name)
        signature = stage_signature(r.stage_counts)
        saved = saved_stage_models().get(signature)
        rows_with_stage = sum(r.stage_counts.values())
        if saved is not None and r.stage_model.name != load_stage_model(saved.encode()).name:
            st.info(t("model_saved_offer"))
            if st.button(t("model_saved_use"), key=f"saved_{fid}", type="primary"):
                use_model(load_stage_model(saved.encode()))
                st.rerun()
        elif (
            rows_with_stage
            and max(model_fit(r.stage_counts, r.stage_model), proposal[1] if proposal else 0)
            < WELL * rows_with_stage
        ):
            # No model fits well: offer the file's own stages (a few unknown values are
            # better mapped one by one, below).
            file_stages_editor(fid, entry["name"], r, signature)
        st.markdown(
            f"**{t('file_summary', read=r.rows_read, valid=r.rows_valid, rejected=r.rows_rejected, warnings=len(r.warnings))}**"
        )
        dates = r.snapshot_dates
        st.caption(
            t(
                "file_detected",
                format=r.file_format,
                sheet=r.sheet or "—",
                header_row=r.header_row,
                shape=t(f"shape_{r.shape}"),
                snapshot=format_date(dates[1] if dates else None, lang),
            )
        )
        with st.popover(t("notes_title")):
            for note in r.note_texts(lang):
                st.markdown(f"- {plain(note)}")

        st.subheader(t("mapping_title"), help=t("mapping_help"))
        table = r.mapping_table()

        def heading(name: str) -> dict[str, str]:
            declared = MAPPING.column(name)
            return {"label": declared.label(lang), "help": declared.about(lang)}

        table["origin"] = [t(f"origin_{o}") for o in table["origin"]]
        edited = st.data_editor(
            table,
            key=f"map_{fid}",
            hide_index=True,
            width="stretch",
            placeholder=MISSING,
            disabled=["header", "origin", "samples"],
            column_config={  # headers and tooltips from the mapping contract
                "header": st.column_config.TextColumn(**heading("header")),
                "field": st.column_config.SelectboxColumn(
                    **heading("field"), options=fields, format_func=field_text
                ),
                "origin": st.column_config.TextColumn(**heading("origin")),
                "samples": st.column_config.TextColumn(**heading("samples")),
            },
        )
        wanted = {
            h: (f or IGNORE)
            for h, f in zip(edited["header"], edited["field"].fillna(""), strict=True)
        }
        if any(wanted[h] != (r.mapping.fields.get(h) or IGNORE) for h in wanted):
            entry["overrides"] = wanted
            st.rerun()
        if entry["overrides"] and st.button(t("mapping_reset"), key=f"reset_{fid}"):
            entry["overrides"] = {}
            st.session_state.pop(f"map_{fid}", None)
            st.rerun()

        unknown = r.unknown_stages()
        if len(unknown):
            st.subheader(t("unknown_stages_title"), help=t("unknown_stages_help"))
            chosen = {}
            for _, row in unknown.iterrows():
                label = t(
                    "unknown_stage_choice",
                    value=plain(row["value"]),
                    count=row["count"],
                    rows=row["rows"],
                )
                if row["suggestion"] in stage_names:
                    label += " " + t(
                        "unknown_stage_hint", suggestion=stage_names[row["suggestion"]]
                    )
                else:
                    label += " " + t("unknown_stage_no_match")
                # One choice per value, keyed by the value itself (never by position).
                vkey = hashlib.sha1(str(row["value"]).encode("utf-8")).hexdigest()[:10]
                # Keyed per language and kept: after a switch of language the choice is
                # drawn again in the new language's names, not shown in the old one's.
                name = f"stage_{fid}_{vkey}"
                picked = kept(name, "")
                choice = keep(
                    name,
                    st.selectbox(
                        label,
                        stage_choices,
                        index=stage_choices.index(picked) if picked in stage_choices else 0,
                        key=lang_key(name),
                        format_func=stage_names.get,
                    ),
                )
                if choice:
                    chosen[row["value"]] = choice
            if chosen:
                st.caption(
                    t(
                        "stage_choices_summary",
                        pairs="; ".join(
                            f"{plain(v)} → {stage_names.get(c, c)}" for v, c in chosen.items()
                        ),
                    )
                )
                if st.button(
                    t("stage_choices_apply", n=len(chosen)),
                    key=f"stage_apply_{fid}",
                    type="primary",
                ):
                    entry["stage_aliases"] = {**entry["stage_aliases"], **chosen}
                    st.rerun()

        errors, warnings = r.findings_table("error", lang), r.findings_table("warning", lang)
        if errors.empty and warnings.empty:
            st.success(t("no_findings"))  # no empty tables beside it
        else:
            tab_e, tab_w = st.tabs(
                [t("errors_title", n=len(errors)), t("warnings_title", n=len(warnings))]
            )
            with tab_e:
                show_table(errors, "findings")
            with tab_w:
                show_table(warnings, "findings")
        left, right = st.columns(2)
        if r.rows_rejected:
            left.download_button(
                t("download_rejected"),
                rejected_rows_xlsx(r, lang),
                on_click="ignore",
                key=f"dl_{fid}",
                file_name=f"rejected_{entry['name'].rsplit('.', 1)[0]}.xlsx",
                mime=xlsx_mime(),
            )
        if found is not None:
            kept_help = " " + t("save_help_roles", sheet=plain(found.sheet))
        elif roles_alone:
            names = ("、" if lang == "zh" else ", ").join(entries[f]["name"] for f in roles_alone)
            kept_help = " " + t("save_help_roles_files", files=plain(names))
        else:
            kept_help = ""
        if right.button(
            t("save_snapshot"),
            key=f"save_{fid}",
            type="primary",
            help=t("save_help", store=store_path()) + kept_help,
        ):
            try:
                # The rows are encoded while the store opens.
                encoded = begin_encoding(r)
                with st.spinner(t("saving")), open_store() as store:
                    # A roles sheet of the same workbook is kept with the snapshot; else the
                    # roles files uploaded on their own, for this export's deals.
                    beside = found.roles if found is not None else alone_roles_for(r)
                    outcome = store.import_result(r, roles=beside, encoded=encoded)
                    store.remember_mapping(r.mapping.signature, r.mapping.confirmed())
            except StoreError as exc:  # busy past the wait, or not a store: said, not raised
                right.error(exc.message(lang))
            else:
                right.success(
                    t("saved" if outcome.created else "already_saved", id=outcome.snapshot_id)
                )
        if found is not None:  # a roles sheet beside the opportunities
            st.info(
                t(
                    "roles_sheet_found",
                    sheet=plain(found.sheet),
                    read=found.rows_read,
                    valid=found.rows_valid,
                    rejected=found.rows_rejected,
                    warnings=len(found.warnings),
                )
            )
            roles_findings(found, fid)

st.divider()
st.subheader(t("stored_title"))
catalogue, store_problem = store_catalogue()
if store_problem:
    st.warning(store_problem)
elif catalogue.empty:
    st.caption(t("stored_empty"))
else:
    show_table(
        catalogue.drop(columns="first_date").assign(
            snapshot_date=lambda d: pd.to_datetime(d["snapshot_date"]),
            shape=lambda d: [t(f"shape_{s_}") for s_ in d["shape"]],
            stage_model=lambda d: [
                BUILTIN_MODELS[m].title(lang) if m in BUILTIN_MODELS else m
                for m in d["stage_model"]
            ],
        ),
        "stored_snapshots",
    )
    names = dict(zip(catalogue["id"], catalogue["file_name"], strict=True))
    pick = st.selectbox(
        t("remove_choose"),
        list(names),
        format_func=lambda i: f"#{i} · {names[i]}",
        key="remove_pick",
    )
    if st.button(t("remove_button"), key="remove_ask"):
        st.session_state["remove_pending"] = pick
    pending = st.session_state.get("remove_pending")
    if pending in names:
        st.warning(t("remove_confirm", id=pending, file=plain(names[pending])))
        if st.button(t("remove_yes"), key="remove_yes", type="primary"):
            try:
                with open_store() as store:
                    store.remove(int(pending))
            except StoreError as exc:
                st.error(exc.message(lang))
            else:
                st.session_state.pop("remove_pending", None)
                st.toast(t("removed", id=pending))
                st.rerun()
