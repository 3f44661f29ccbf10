"""One translation table for every user-facing message, in Chinese and English.

Messages are looked up by key and formatted with named parameters. The library returns keys
and parameters (so a report can be re-rendered in the other language); :func:`t` renders.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["LANGUAGES", "MESSAGES", "column_label", "t"]

LANGUAGES = ("zh", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # --- files that cannot be used (exit code 2) -------------------------------------------
    "empty": {
        "zh": "文件“{file}”是空的（0 字节或只有空白）。请重新导出后再上传。",
        "en": "The file “{file}” is empty (0 bytes or only blank space). Export it again and retry.",
    },
    "too_large": {
        "zh": "文件“{file}”有 {size_mb:.1f} MB，超过 {limit_mb:.0f} MB 的上限。请按月份或团队拆分后再上传。",
        "en": "The file “{file}” is {size_mb:.1f} MB, over the {limit_mb:.0f} MB limit. Split it by month or team and retry.",
    },
    "too_many_cells": {
        "zh": "文件“{file}”的工作表用到 {cells:,} 个单元格（A1 到 {last}，{rows:,} 行 × {columns:,} 列），超过 {limit:,} 个的上限，未读取。如果表格确实这么大，请调高设置 {setting}。",
        "en": "The file “{file}” has a sheet that spans {cells:,} cells (A1 to {last}: {rows:,} rows × {columns:,} columns), over the limit of {limit:,}; it was not read. If the sheet really is that large, raise the setting {setting}.",
    },
    "too_many_columns": {
        "zh": "文件“{file}”有 {columns:,} 列，超过 {limit:,} 列的上限，未读取。请只导出需要的列，或调高设置 {setting}。",
        "en": "The file “{file}” has {columns:,} columns, over the limit of {limit:,}; it was not read. Export only the columns you need, or raise the setting {setting}.",
    },
    "cell_too_long": {
        "zh": "文件“{file}”中有一个单元格长达 {chars:,} 个字符，超过 {limit:,} 个字符的上限（Excel 单元格最多容纳 32,767 个字符），未读取。如确有需要，请调高设置 {setting}。",
        "en": "The file “{file}” has a cell of {chars:,} characters, over the limit of {limit:,} (an Excel cell holds at most 32,767); it was not read. If you need it, raise the setting {setting}.",
    },
    "text_too_large": {
        "zh": "文件“{file}”展开后的文字共约 {text_mb:,.0f} MB，超过 {limit:,} MB 的上限（常见原因：一段很长的文字被大量单元格重复引用），未读取。如确有需要，请调高设置 {setting}。",
        "en": "The file “{file}” expands to about {text_mb:,.0f} MB of cell text, over the limit of {limit:,} MB (usually one long text repeated in many cells); it was not read. If you need it, raise the setting {setting}.",
    },
    "line_too_long": {
        "zh": "文件“{file}”中有一行长达 {line_kb:,.0f} KB，超过 {limit:,} KB 的上限，未读取。如确有需要，请调高设置 {setting}。",
        "en": "The file “{file}” has a line of {line_kb:,.0f} KB, over the limit of {limit:,} KB; it was not read. If you need it, raise the setting {setting}.",
    },
    "out_of_memory": {
        "zh": "读取文件“{file}”需要的内存超过了 {limit:,} MB 的上限，已停止读取。请拆分文件后重试，或调高设置 {setting}。",
        "en": "Reading the file “{file}” needed more than the {limit:,} MB of memory allowed, so it was stopped. Split the file and retry, or raise the setting {setting}.",
    },
    "read_too_slow": {
        "zh": "读取文件“{file}”超过了 {limit:,} 秒的上限，已停止读取。请拆分文件后重试，或调高设置 {setting}。",
        "en": "Reading the file “{file}” took longer than the {limit:,} seconds allowed, so it was stopped. Split the file and retry, or raise the setting {setting}.",
    },
    "not_spreadsheet": {
        "zh": "文件“{file}”不是可读取的表格（{detail}）。支持 .xlsx、.xlsm、.xls、.ods 和 .csv。",
        "en": "The file “{file}” is not a spreadsheet we can read ({detail}). Supported: .xlsx, .xlsm, .xls, .ods and .csv.",
    },
    "corrupt_zip": {
        "zh": "Excel 文件“{file}”已损坏（压缩包无法打开：{detail}）。请在 Excel 中打开并另存为 .xlsx。",
        "en": "The Excel file “{file}” is damaged (its zip container cannot be opened: {detail}). Open it in Excel and save it again as .xlsx.",
    },
    "zip_bomb": {
        "zh": "文件“{file}”解压后将达到 {inflated_mb:,.0f} MB（压缩比 {ratio:,.0f}:1），超出安全上限，已拒绝读取。",
        "en": "The file “{file}” would inflate to {inflated_mb:,.0f} MB (ratio {ratio:,.0f}:1), beyond the safety limit; it was not read.",
    },
    "xml_entities": {
        "zh": "文件“{file}”的 {part} 含有 XML 实体声明（DOCTYPE/ENTITY），正常的 Excel 文件不会有，出于安全原因已拒绝读取。",
        "en": "The file “{file}” declares XML entities (DOCTYPE/ENTITY) in {part}; real Excel files never do, so it was refused for safety.",
    },
    "encrypted": {
        "zh": "工作簿“{file}”设置了打开密码，无法读取。请在 Excel 中取消密码（文件 → 信息 → 保护工作簿）后另存再上传。",
        "en": "The workbook “{file}” is password-protected and cannot be read. Remove the password in Excel (File → Info → Protect Workbook), save, and retry.",
    },
    "unreadable": {
        "zh": "无法读取文件“{file}”：{detail}",
        "en": "The file “{file}” could not be read: {detail}",
    },
    "no_sheet": {
        "zh": "工作簿“{file}”中没有名为“{sheet}”的工作表。现有工作表：{sheets}。",
        "en": "The workbook “{file}” has no sheet named “{sheet}”. Its sheets: {sheets}.",
    },
    "no_data": {
        "zh": "文件“{file}”中没有数据（工作表“{sheet}”为空）。",
        "en": "The file “{file}” holds no data (sheet “{sheet}” is empty).",
    },
    "no_header": {
        "zh": "在文件“{file}”的前 {rows} 行中找不到表头行。",
        "en": "No header row was found in the first {rows} rows of “{file}”.",
    },
    "header_only": {
        "zh": "文件“{file}”只有表头（第 {header_row} 行），没有数据行。",
        "en": "The file “{file}” has a header (row {header_row}) but no data rows.",
    },
    "bad_as_of": {
        "zh": "无法识别日期“{value}”，请写成 2024-03-31 这样的格式。",
        "en": "The date “{value}” cannot be read; write it like 2024-03-31.",
    },
    "no_stage_column": {
        "zh": '文件“{file}”中找不到“销售阶段”列。识别到的列：{headers}。请用映射指定，例如 --map "你的列名=stage"。',
        "en": 'No stage column was found in “{file}”. Columns seen: {headers}. Map one, e.g. --map "Your header=stage".',
    },
    "no_id_column": {
        "zh": '文件“{file}”中找不到商机编号列，也没有可代替的商机名称列。请用映射指定，例如 --map "你的列名=opportunity_id"。',
        "en": '“{file}” has no opportunity id column, and no name column to fall back on. Map one, e.g. --map "Your header=opportunity_id".',
    },
    "bad_mapping": {
        "zh": "映射“{item}”无效：{detail}",
        "en": "The mapping “{item}” is not valid: {detail}",
    },
    "no_snapshot_date": {
        "zh": "无法确定快照日期：表中没有快照日期列，文件名“{file}”中也没有年月（如 2024-03、202403、2024年3月）。请用 --as-of 指定，例如 --as-of {proposed}（{origin_text}）。",
        "en": "The snapshot date is unknown: no snapshot-date column, and no month in the file name “{file}” (like 2024-03, 202403, 2024年3月). Give it with --as-of, e.g. --as-of {proposed} ({origin_text}).",
    },
    "snapshot_origin_last_modified": {
        "zh": "“{column}”列的最新值",
        "en": "the latest value of “{column}”",
    },
    "snapshot_origin_latest_date": {
        "zh": "“{column}”列中最近的日期",
        "en": "the latest date in “{column}”",
    },
    "snapshot_origin_today": {"zh": "今天", "en": "today"},
    "note_id_numbered": {
        "zh": "{count} 行的商机名称与前面的行相同：同一份导出中每行是一个商机，按出现顺序编为“名称 #2”等。",
        "en": "{count} rows share a deal name with an earlier row: one export lists each deal once, so they are numbered in order (“Name #2”).",
    },
    "blank_value": {"zh": "（空）", "en": "(blank)"},
    "note_id_from_account_and_name": {
        "zh": "没有商机编号列，且商机名称有重名：以“{account} · {column}”作为编号。",
        "en": "No opportunity id column, and deal names repeat: “{account} · {column}” is used as the id.",
    },
    "snapshot_origin_footer": {
        "zh": "报表页脚“{column}”中的日期",
        "en": "the date in the report's footer, “{column}”",
    },
    "note_footer_rows": {
        "zh": "表格下方的 {count} 行页脚（版权、生成人等）不是数据，已跳过。",
        "en": "Skipped {count} footer line(s) under the table (copyright, generated by, …).",
    },
    "as_of_question": {
        "zh": "这份导出是哪一天的？文件里没有写明。建议 {proposed}，即{origin_text}。",
        "en": "Which day is this export from? The file does not say. Proposed: {proposed}, {origin_text}.",
    },
    "note_missing_markers": {
        "zh": "{count} 个单元格写的是“无值”标记（NA、N/A、#N/A、null、-、无、暂无 等），按空白读取。",
        "en": "{count} cells held a missing-value marker (NA, N/A, #N/A, null, -, 无, …) and were read as blank.",
    },
    "note_lost_stage": {
        "zh": "{count} 个输单商机的阶段取自“{column}”列（输单时所处的阶段）。",
        "en": "{count} lost deals take their stage from “{column}” (the stage they were lost in).",
    },
    "note_archived_lost": {
        "zh": "{count} 个已归档（“{column}”为否）且未赢单的商机按输单计。",
        "en": "{count} archived deals (“{column}” is false) that were not won count as lost.",
    },
    "note_close_date_both": {
        "zh": "“{column}”列对进行中的商机是预计成交日期，对已赢单或输单的商机是实际成交日期。",
        "en": "“{column}” is read as the expected close date of open deals and the actual close date of won and lost ones.",
    },
    "calibration_unsupported": {
        "zh": "{lost} 个输单商机中有 {unknown} 个只写了“输单”，不知道输在哪个阶段，因此各阶段的实际赢单率只看到了赢单、会接近 100%。这里改用阶段模型的名义概率。若导出中有“输单阶段”列（或阶段变更记录），请一并上传。",
        "en": "{unknown} of {lost} lost deals say only “lost”, not the stage they were lost in, so each stage's observed win rate would see the wins and not those losses, and run towards 100%. The stage model's nominal probabilities are used instead. Export a “stage before lost” column (or a stage history) to measure them.",
    },
    "cli_infer_title": {
        "zh": "“{file}”的阶段（顺序、名称、类型、概率、行数、依据）：",
        "en": "Stages of “{file}” (order, value, kind, probability, rows, evidence):",
    },
    "cli_infer_written": {
        "zh": "已写入 {path}，可用 --stage-model {path} 读取。",
        "en": "Written to {path}; read it with --stage-model {path}.",
    },
    "kind_open": {"zh": "进行中", "en": "open"},
    "kind_won": {"zh": "赢单", "en": "won"},
    "kind_lost": {"zh": "输单", "en": "lost"},
    "kind_on_hold": {"zh": "搁置", "en": "on hold"},
    "evidence_history": {"zh": "阶段变更记录中的先后", "en": "order in the stage history"},
    "evidence_probability": {"zh": "概率列的中位数", "en": "median of the probability column"},
    "evidence_label_number": {
        "zh": "名称中的序号或百分比",
        "en": "number or percentage in the name",
    },
    "evidence_known_stage": {"zh": "内置模型中的位置", "en": "place in a built-in model"},
    "evidence_won_share": {"zh": "最终赢单的比例", "en": "share of deals won"},
    "evidence_count": {
        "zh": "商机数（越早的阶段越多）",
        "en": "deal count (earlier stages hold more)",
    },
    "evidence_name": {"zh": "按名称识别", "en": "recognised by name"},
    "cli_no_valid_rows": {
        "zh": "{files} 中没有可用的行（每一行都被拒绝）。请先用 validate 查看原因，例如阶段模型是否合适（stage-models infer 可按文件的阶段建一个）。",
        "en": "No row of {files} can be used (every row was rejected). Run validate to see why, e.g. whether the stage model fits (stage-models infer builds one from the file's stages).",
    },
    "infer_title": {"zh": "使用本文件的阶段", "en": "Use this file's stages"},
    "infer_intro": {
        "zh": "没有哪个模型认得这份文件的全部阶段值。下面是按文件自身的阶段建的模型：赢单、输单、搁置按名称识别，进行中的阶段按文件中最有力的依据排序（“依据”列）。可以改顺序、名称、概率和停留上限，然后使用。",
        "en": "No model knows all of this file's stage values. Below is a model built from the file's own stages: won, lost and on hold by name, open stages ordered by the strongest evidence in the file (the Evidence column). Change the order, names, probabilities and ageing limits, then use it.",
    },
    "infer_value": {"zh": "文件中的值", "en": "Value in the file"},
    "infer_kind": {"zh": "类型", "en": "Kind"},
    "infer_rows": {"zh": "行数", "en": "Rows"},
    "infer_order": {"zh": "顺序", "en": "Order"},
    "infer_order_help": {
        "zh": "进行中阶段的先后（1 为最早）。",
        "en": "Position of an open stage (1 is the earliest).",
    },
    "infer_evidence": {"zh": "依据", "en": "Evidence"},
    "infer_probability": {"zh": "赢单概率", "en": "Win probability"},
    "infer_en": {"zh": "英文名", "en": "English name"},
    "infer_zh": {"zh": "中文名", "en": "Chinese name"},
    "infer_max_days": {"zh": "停留上限（天）", "en": "Ageing limit (days)"},
    "infer_max_days_help": {
        "zh": "商机在此阶段停留超过这么多天即视为停滞；留空则按数据的 P80。",
        "en": "A deal longer than this in the stage counts as stalled; blank uses the data's P80.",
    },
    "infer_preview": {"zh": "模型：{stages}", "en": "Model: {stages}"},
    "infer_use": {"zh": "使用并保存这个模型", "en": "Use and save this model"},
    "infer_use_help": {
        "zh": "用于所有页面；下次上传阶段值相同的文件时会再次推荐。",
        "en": "Used on every page; offered again for the next file with the same stage values.",
    },
    "infer_not_saved": {
        "zh": "数据存储暂时不可用，模型只在本次会话中使用。",
        "en": "The store is busy or unavailable: the model is used in this session only.",
    },
    "infer_download": {"zh": "下载模型（TOML）", "en": "Download the model (TOML)"},
    "model_saved_offer": {
        "zh": "你曾为这组阶段值保存过一个阶段模型。",
        "en": "You saved a stage model for these stage values.",
    },
    "model_saved_use": {"zh": "使用已保存的模型", "en": "Use the saved model"},
    "plan_needs_input": {"zh": "请填写{what}：{why}", "en": "Enter the {what}: {why}"},
    "plan_no_won": {
        "zh": "截止日期前 12 个月没有赢单金额，无法给出默认目标。",
        "en": "nothing was won in the 12 months before the as-of date, so there is no default target.",
    },
    "plan_zero_entered": {"zh": "计划需要大于 0 的值。", "en": "the plan needs a value above 0."},
    "plan_no_amounts": {
        "zh": "这份数据没有可用的金额，无法算出平均单额。",
        "en": "the data has no amounts to take an average deal from.",
    },
    "ageing_unknown_entry": {
        "zh": "这份数据只说明每个商机现在处于哪个阶段，没有说明从哪天起：无法计算在阶段中的停留时长。下图按创建至今的天数分组。要测量停留时长，请上传两个以上的月度快照、一份阶段变更记录，或带“进入当前阶段日期”（如 Pipedrive 的 Last stage change）列的导出。",
        "en": "This data says which stage each deal is in, not since when, so time in stage cannot be measured. The chart below groups open deals by days since they were created. To measure time in stage, upload two or more monthly snapshots, a stage-history log, or an export with a date-entered-stage column (such as Pipedrive's Last stage change).",
    },
    "chart_buckets_age": {
        "zh": "进行中商机：创建至今的天数（不是阶段停留时长）",
        "en": "Open deals by days since created (not time in stage)",
    },
    "plan_flow_unmeasured": {
        "zh": "一份导出只能看到各阶段的在手商机，看不到每月流入各阶段的数量：上传两个以上月度快照（或一份阶段变更记录）后，这里会对比计划与实际的流量。",
        "en": "One export shows the deals in each stage, not how many reach each stage a month: upload two or more monthly snapshots (or a stage-history log) to hold the plan's flow against the actual one.",
    },
    "plan_intake_unmeasured": {
        "zh": "实际每月新增需要两个以上快照或带日期的变更记录才能测量；这里只显示需要的数量。",
        "en": "The actual monthly intake needs two or more snapshots, or a dated change log, to be measured; only what is needed is shown.",
    },
    "cli_model_proposal": {
        "zh": "这些阶段值与内置模型 `{model}` 吻合：{rows} 行中有 {matched} 行（改用 --stage-model {model}）",
        "en": "these values match the built-in model `{model}`: {matched} of {rows} rows (use --stage-model {model})",
    },
    "model_proposal": {
        "zh": "这份文件的阶段值与内置模型“{title}”吻合：{rows} 行中有 {matched} 行（当前模型只认得 {mine} 行）。",
        "en": "This file's stage values match the built-in model “{title}”: {matched} of {rows} rows (the current model knows {mine}).",
    },
    "model_proposal_use": {"zh": "改用“{title}”", "en": "Use “{title}”"},
    "model_switched": {
        "zh": "已改用阶段模型“{title}”。",
        "en": "Switched the stage model to “{title}”.",
    },
    "upload_again": {
        "zh": "“{name}”已经上传过（内容相同），沿用之前的设置。",
        "en": "“{name}” is already here (same content); its earlier choices are kept.",
    },
    "upload_remove": {"zh": "移除此文件", "en": "Remove this file"},
    "source_switched": {
        "zh": "数据来源已切换为“本次上传的文件”。",
        "en": "The data source is now your uploaded files.",
    },
    "stage_choices_summary": {"zh": "将应用：{pairs}", "en": "To apply: {pairs}"},
    "stage_choices_apply": {"zh": "应用这 {n} 项阶段对应", "en": "Apply these {n} stage choices"},
    "as_of_use": {"zh": "使用这个日期", "en": "Use this date"},
    # --- row findings: errors (row rejected) ----------------------------------------------
    "missing_id": {"zh": "商机编号为空。", "en": "The opportunity id is blank."},
    "missing_stage": {"zh": "销售阶段为空。", "en": "The stage is blank."},
    "unknown_stage": {
        "zh": "阶段“{value}”不属于阶段模型“{model}”。{hint}",
        "en": "Stage “{value}” is not in the stage model “{model}”. {hint}",
    },
    "unknown_stage_hint": {"zh": "是否是“{suggestion}”？", "en": "Did you mean “{suggestion}”?"},
    "unknown_stage_no_match": {
        "zh": "这个模型中没有相近的阶段。",
        "en": "No stage of this model is close.",
    },
    "unparseable_amount": {
        "zh": "金额“{value}”无法识别为数字。",
        "en": "The amount “{value}” is not a number.",
    },
    "negative_amount": {"zh": "金额为负数（{value}）。", "en": "The amount is negative ({value})."},
    "duplicate_id": {
        "zh": "商机编号“{value}”在同一快照中重复（首次出现在第 {first_row} 行）。",
        "en": "Opportunity id “{value}” repeats within the snapshot (first seen on row {first_row}).",
    },
    "probability_out_of_range": {
        "zh": "赢单概率“{value}”不在 0–100% 之间。",
        "en": "The probability “{value}” is not between 0 and 100%.",
    },
    "unparseable_snapshot_date": {
        "zh": "快照日期“{value}”无法识别。",
        "en": "The snapshot date “{value}” cannot be read.",
    },
    # --- row findings: warnings (row kept, flagged) ---------------------------------------
    "unparseable_date": {
        "zh": "日期“{value}”无法识别，该日期按空值处理。",
        "en": "The date “{value}” cannot be read; it is treated as blank.",
    },
    "impossible_date": {
        "zh": "日期“{value}”不在 1980–2100 年之间，按空值处理。",
        "en": "The date “{value}” is outside 1980–2100; it is treated as blank.",
    },
    "missing_amount": {"zh": "金额为空。", "en": "The amount is blank."},
    "close_before_created": {
        "zh": "成交日期 {value} 早于创建日期 {created}。",
        "en": "The close date {value} is before the created date {created}.",
    },
    "overdue_close_date": {
        "zh": "进行中的商机预计成交日期 {value} 已早于快照日期 {as_of}。",
        "en": "The open deal's expected close date {value} is before the snapshot date {as_of}.",
    },
    "rule_missing_id": {"zh": "缺少编号", "en": "No id"},
    "rule_missing_stage": {"zh": "缺少阶段", "en": "No stage"},
    "rule_unknown_stage": {"zh": "阶段不在模型中", "en": "Stage not in the model"},
    "rule_unparseable_amount": {"zh": "金额无法识别", "en": "Amount unreadable"},
    "rule_negative_amount": {"zh": "金额为负", "en": "Negative amount"},
    "rule_duplicate_id": {"zh": "编号重复", "en": "Duplicate id"},
    "rule_probability_out_of_range": {"zh": "概率超出 0–100%", "en": "Probability out of range"},
    "rule_unparseable_snapshot_date": {"zh": "快照日期无法识别", "en": "Snapshot date unreadable"},
    "rule_unparseable_date": {"zh": "日期无法识别", "en": "Date unreadable"},
    "rule_impossible_date": {"zh": "日期不合理", "en": "Impossible date"},
    "rule_missing_amount": {"zh": "缺少金额", "en": "No amount"},
    "rule_close_before_created": {"zh": "成交早于创建", "en": "Close before created"},
    "rule_overdue_close_date": {"zh": "预计成交日期已过", "en": "Expected close passed"},
    "rule_unknown_grade": {"zh": "客户等级无法识别", "en": "Grade not A–D"},
    "rule_unknown_status": {"zh": "状态无法识别", "en": "Status unrecognised"},
    "rule_unparseable_probability": {"zh": "概率无法识别", "en": "Probability unreadable"},
    "rule_unparseable_checklist": {"zh": "里程碑不是是/否", "en": "Milestone not yes/no"},
    "rule_stage_status_conflict": {"zh": "阶段与状态矛盾", "en": "Stage and status disagree"},
    "rule_outcome_reversed": {"zh": "赢单后又改为输单", "en": "Won, then lost"},
    "rule_unknown_flag": {"zh": "不是是/否", "en": "Not yes/no"},
    "unknown_grade": {
        "zh": "客户等级“{value}”不是 A–D，按空值处理。",
        "en": "The customer grade “{value}” is not A–D; it is treated as blank.",
    },
    "outcome_reversed": {
        "zh": "这笔商机先记为赢单，后又记为“{value}”：按最终结果计，这是一次更正。",
        "en": "This deal was logged won, then “{value}”: it counts by its final outcome; the later row corrects the earlier one.",
    },
    "unknown_status": {
        "zh": "状态“{value}”无法识别，按阶段推断。",
        "en": "The status “{value}” is not recognised; it is inferred from the stage.",
    },
    "unknown_flag": {
        "zh": "“{value}”不是 是/否，按空值处理。",
        "en": "“{value}” is not yes/no; it is treated as blank.",
    },
    "unparseable_probability": {
        "zh": "赢单概率“{value}”无法识别，按空值处理（使用阶段模型的名义概率）。",
        "en": "The probability “{value}” cannot be read; it is treated as blank (the stage model's nominal probability applies).",
    },
    "unparseable_checklist": {
        "zh": "里程碑“{value}”不是 是/否，按空值处理。",
        "en": "The milestone value “{value}” is not yes/no; it is treated as blank.",
    },
    "stage_status_conflict": {
        "zh": "阶段为“{value}”，但状态为“{status}”，以状态为准。",
        "en": "The stage is “{value}” but the status says “{status}”; the status is used.",
    },
    # --- notes about the whole file --------------------------------------------------------
    "note_sheet": {
        "zh": "读取工作表“{sheet}”（共 {count} 个工作表：{sheets}）。",
        "en": "Read sheet “{sheet}” (of {count}: {sheets}).",
    },
    "note_encoding": {"zh": "文本编码：{encoding}。", "en": "Text encoding: {encoding}."},
    "note_header_row": {"zh": "表头在第 {row} 行。", "en": "The header is on row {row}."},
    "note_title_rows": {
        "zh": "跳过表头上方的 {count} 行标题。",
        "en": "Skipped {count} title row(s) above the header.",
    },
    "note_hint_row": {
        "zh": "第 {row} 行是填写说明（如“必填”），已跳过。",
        "en": "Row {row} holds fill-in hints (like “required”) and was skipped.",
    },
    "note_blank_rows": {
        "zh": "跳过 {count} 个空行（第 {rows} 行）。",
        "en": "Skipped {count} blank row(s) (rows {rows}).",
    },
    "note_totals_row": {
        "zh": "第 {row} 行是合计行（“{label}”），未作为商机读取。",
        "en": "Row {row} is a totals row (“{label}”) and was not read as a deal.",
    },
    "note_header_filled": {
        "zh": "合并单元格表头：列 {columns} 的名称取自上一行。",
        "en": "Merged header: the names of columns {columns} come from the row above.",
    },
    "note_unnamed_columns": {
        "zh": "列 {columns} 没有表头，按列字母命名并保留。",
        "en": "Columns {columns} have no header; they are kept under their column letters.",
    },
    "note_unit": {
        "zh": "列“{column}”的单位为 {unit}，金额已乘以 {multiplier:,.0f}。",
        "en": "Column “{column}” is in {unit}; amounts were multiplied by {multiplier:,.0f}.",
    },
    "note_dates_dayfirst": {
        "zh": "列“{column}”的日期按“日/月/年”读取（有大于 12 的首位数）。",
        "en": "Dates in “{column}” were read day-first (some first parts are above 12).",
    },
    "note_dates_monthfirst": {
        "zh": "列“{column}”的日期按“月/日/年”读取（有大于 12 的第二位数）。",
        "en": "Dates in “{column}” were read month-first (some second parts are above 12).",
    },
    "note_dates_ambiguous_monthfirst": {
        "zh": "列“{column}”的日期两种顺序都说得通，按美式“月/日/年”读取；如有误请告知日期顺序。",
        "en": "Dates in “{column}” fit both orders; they were read month-first (US). Say so if they are day-first.",
    },
    "note_dates_mixed_order_dayfirst": {
        "zh": "列“{column}”的日期顺序不一致，多数按“日/月/年”读取，其余报告为无法识别。",
        "en": "Dates in “{column}” mix both orders; most read day-first and the rest are reported.",
    },
    "note_dates_mixed_order_monthfirst": {
        "zh": "列“{column}”的日期顺序不一致，多数按“月/日/年”读取，其余报告为无法识别。",
        "en": "Dates in “{column}” mix both orders; most read month-first and the rest are reported.",
    },
    "note_probability_scale_percent": {
        "zh": "列“{column}”的概率按百分数读取（30 即 30%）。",
        "en": "Probabilities in “{column}” were read as percentages (30 means 30%).",
    },
    "note_probability_scale_fraction": {
        "zh": "列“{column}”的概率按小数读取（0.3 即 30%）。",
        "en": "Probabilities in “{column}” were read as fractions (0.3 means 30%).",
    },
    "note_id_from_name": {
        "zh": "没有商机编号列，以“{column}”（商机名称）作为编号。",
        "en": "No opportunity id column; “{column}” (the deal name) is used as the id.",
    },
    "note_snapshot_from_column": {
        "zh": "快照日期取自列“{column}”。",
        "en": "Snapshot dates come from the column “{column}”.",
    },
    "note_snapshot_from_name": {
        "zh": "快照日期 {date} 取自文件名“{file}”（{pattern}，按月末计）。",
        "en": "The snapshot date {date} comes from the file name “{file}” ({pattern}, taken as month end).",
    },
    "note_snapshot_from_name_day": {
        "zh": "快照日期 {date} 取自文件名“{file}”。",
        "en": "The snapshot date {date} comes from the file name “{file}”.",
    },
    "note_snapshot_from_user": {
        "zh": "快照日期 {date} 由用户指定。",
        "en": "The snapshot date {date} was given by the user.",
    },
    "note_shape_history": {
        "zh": "识别为阶段变更日志：每行是一次阶段变更，日期取自“{column}”。",
        "en": "Read as a stage-history log: each row is one stage change, dated by “{column}”.",
    },
    "note_shape_stage_dates": {
        "zh": "识别到按阶段记录日期的列：{columns}。",
        "en": "Found one date column per stage: {columns}.",
    },
    "note_unmapped": {
        "zh": "未映射的列已保留（可用于筛选）：{columns}。",
        "en": "Unmapped columns are kept (for filters): {columns}.",
    },
    "note_no_amount_column": {
        "zh": "没有金额列：只能统计商机数量，金额与加权金额为空。",
        "en": "No amount column: deals can be counted, but amounts and weighted pipeline are blank.",
    },
    "note_currency_from_header": {
        "zh": "币种 {currency} 取自表头“{column}”。",
        "en": "The currency {currency} comes from the header “{column}”.",
    },
    "note_remembered_mapping": {
        "zh": "沿用上次为同样表头确认的列映射。",
        "en": "Used the column mapping confirmed last time for files with these headers.",
    },
    # --- labels used in reports and downloads ---------------------------------------------
    # --- the command line --------------------------------------------------------------------
    "cli_summary": {
        "zh": "读取 {read} 行，有效 {valid} 行，拒绝 {rejected} 行；警告 {warnings} 条",
        "en": "{read} rows read, {valid} valid, {rejected} rejected; {warnings} warnings",
    },
    "cli_plan_needs_average": {
        "zh": "请给出 --average-deal（平均合同金额或台数），或用 --from-data 从数据中测算。",
        "en": "Give --average-deal (average amount or units per contract), or --from-data to measure it.",
    },
    "cli_plan_files_need_from_data": {
        "zh": "给出文件时请加 --from-data（从文件测算平均合同额、赢单率与周期）。",
        "en": "Files are only read with --from-data (to measure the average deal, win rates and timing).",
    },
    "plan_not_positive": {
        "zh": "{name} 必须是正数（收到 {value}）。",
        "en": "{name} must be a positive number (got {value}).",
    },
    "plan_bad_months": {
        "zh": "月数必须是正整数（收到 {value}）。",
        "en": "Months must be a positive whole number (got {value}).",
    },
    "plan_bad_by": {
        "zh": "目标口径必须是 amount 或 units（收到 {by}）。",
        "en": "The target is by amount or units (got {by}).",
    },
    "plan_no_probabilities": {
        "zh": "没有可用的阶段赢单概率。",
        "en": "No stage win probabilities to plan with.",
    },
    "plan_bad_probability": {
        "zh": "阶段 {stage} 的赢单概率 {value} 必须大于 0 且不超过 1。",
        "en": "The win probability of stage {stage} must be above 0 and at most 1 (got {value}).",
    },
    "cli_plan_title": {
        "zh": "平衡漏斗（{model}）：目标 {target}（{by}），{months} 个月",
        "en": "Balanced funnel ({model}): target {target} by {by} over {months} months",
    },
    "plan_by_amount": {"zh": "按金额", "en": "amount"},
    "plan_by_units": {"zh": "按台数", "en": "units"},
    "cli_plan_contracts": {
        "zh": "需要签约 {contracts} 单（平均每单 {average}）",
        "en": "contracts needed: {contracts} (average deal {average})",
    },
    "cli_plan_probabilities": {"zh": "赢单概率来源：{source}", "en": "win probabilities: {source}"},
    "prob_source_nominal": {"zh": "阶段模型的标称值", "en": "the stage model's nominal values"},
    "prob_source_calibrated": {
        "zh": "按历史数据校准（小样本向标称值收缩）",
        "en": "calibrated from history (shrunk toward nominal on small samples)",
    },
    "prob_source_observed": {"zh": "历史实测值", "en": "observed in history"},
    "prob_source_given": {"zh": "命令行给定", "en": "given on the command line"},
    "cli_plan_stage": {"zh": "阶段", "en": "stage"},
    "cli_plan_per_year": {"zh": "每年", "en": "per year"},
    "cli_plan_per_month": {"zh": "每月", "en": "per month"},
    "cli_plan_unmeasured": {
        "zh": "无法测算（需要至少两次导出）",
        "en": "not measured (needs two or more exports)",
    },
    "cli_plan_intake": {
        "zh": "每月需新增商机 {need}，实际 {actual}",
        "en": "new deals needed per month: {need}; actual: {actual}",
    },
    "cli_plan_thin": {
        "zh": "过少：{stage} 每月实际进入 {actual}，需要 {need}",
        "en": "too thin: {stage} gets {actual} deals a month, needs {need}",
    },
    "cli_plan_stuck": {
        "zh": "积压：{stage} 停留的商机偏多，而下一阶段每月只有 {actual}（需要 {need}）",
        "en": "stuck: {stage} holds too many deals while the next stage gets {actual} a month (needs {need})",
    },
    "cli_model_date": {
        "zh": "阶段模型：{model}  快照日期：{date}",
        "en": "stage model: {model}  snapshot date: {date}",
    },
    "cli_mapping": {"zh": "列映射：", "en": "mapping:"},
    "cli_errors": {"zh": "错误（整行拒绝）：{n}", "en": "errors (row rejected): {n}"},
    "cli_warnings": {"zh": "警告（保留并标记）：{n}", "en": "warnings (row kept): {n}"},
    "cli_row": {"zh": "第 {row} 行", "en": "row {row}"},
    "cli_more": {"zh": "…… 另有 {n} 条", "en": "… and {n} more"},
    "cli_imported": {
        "zh": "已导入快照 #{id}：{file}（{date}），有效 {valid} 行，拒绝 {rejected} 行",
        "en": "imported snapshot #{id}: {file} ({date}), {valid} valid rows, {rejected} rejected",
    },
    "cli_same_content": {
        "zh": "文件内容与快照 #{id} 相同，未重复导入：{file}",
        "en": "same content as snapshot #{id}, not imported again: {file}",
    },
    "cli_no_snapshots": {"zh": "快照库 {store} 中还没有快照", "en": "no snapshots in {store}"},
    "cli_no_such_snapshot": {
        "zh": "快照库 {store} 中没有快照 #{id}",
        "en": "no snapshot #{id} in {store}",
    },
    "cli_removed": {
        "zh": "已从 {store} 删除快照 #{id}",
        "en": "removed snapshot #{id} from {store}",
    },
    "col_row": {"zh": "行号", "en": "Row"},
    "col_column": {"zh": "列", "en": "Column"},
    "col_value": {"zh": "值", "en": "Value"},
    "col_rule": {"zh": "规则", "en": "Rule"},
    "col_severity": {"zh": "级别", "en": "Severity"},
    "col_message": {"zh": "说明", "en": "Message"},
    "col_reason": {"zh": "拒绝原因", "en": "Reason rejected"},
    "severity_error": {"zh": "错误（整行未导入）", "en": "error (row rejected)"},
    "severity_warning": {"zh": "警告（已导入并标记）", "en": "warning (row kept, flagged)"},
    "sheet_rejected": {"zh": "被拒绝的行", "en": "Rejected rows"},
    "sheet_findings": {"zh": "问题清单", "en": "Findings"},
}

# --- the app: every label, tooltip and message a page shows ---------------------------------
UI: dict[str, dict[str, str]] = {
    "app_title": {"zh": "销售漏斗分析", "en": "Sales funnel analytics"},
    "section_funnel": {"zh": "漏斗", "en": "Funnel"},
    "section_data": {"zh": "数据", "en": "Data"},
    "page_overview": {"zh": "概览", "en": "Overview"},
    "page_data": {"zh": "数据导入", "en": "Data"},
    "sidebar_language": {"zh": "语言 / Language", "en": "Language / 语言"},
    "sidebar_source": {"zh": "数据来源", "en": "Data source"},
    "source_sample": {"zh": "示例数据（华辰智能科技）", "en": "Sample data (华辰智能科技)"},
    "source_store": {"zh": "已保存的快照", "en": "Stored snapshots"},
    "source_upload": {"zh": "本次上传的文件", "en": "Files uploaded now"},
    "sidebar_model": {"zh": "阶段模型", "en": "Stage model"},
    "model_upload": {"zh": "上传自定义阶段模型（TOML）", "en": "Upload a stage model (TOML)"},
    "model_custom": {"zh": "自定义：{name}", "en": "Custom: {name}"},
    "sidebar_as_of": {"zh": "截至快照", "en": "As-of snapshot"},
    "sidebar_filters": {"zh": "筛选", "en": "Filters"},
    "filters_active": {"zh": "筛选中：{filters}", "en": "Filtered to {filters}"},
    "filters_active_help": {
        "zh": "本页所有数字只计入符合左侧筛选的商机。",
        "en": "Every figure on this page counts only the deals that match the filters on the left.",
    },
    "filter_team": {"zh": "团队", "en": "Team"},
    "filter_owner": {"zh": "负责人", "en": "Owner"},
    "filter_source": {"zh": "商机来源", "en": "Source"},
    "filter_grade": {"zh": "客户等级", "en": "Customer grade"},
    "filter_dates": {"zh": "快照日期范围", "en": "Snapshot date range"},
    "filter_all": {"zh": "全部", "en": "All"},
    "no_data_title": {"zh": "还没有数据", "en": "No data yet"},
    "no_data_sample": {
        "zh": "示例数据无法读取：{error}",
        "en": "The sample data could not be read: {error}",
    },
    "no_data_store": {
        "zh": "快照库中还没有快照。请到“数据导入”页上传月度导出并点击“保存为快照”，或在左侧切换到示例数据。",
        "en": "The snapshot store is empty. Upload a monthly export on the Data page and press “Save as snapshot”, or switch to the sample data on the left.",
    },
    "no_data_upload": {
        "zh": "本次会话还没有上传文件。请到“数据导入”页拖入 Excel 或 CSV 导出文件。",
        "en": "Nothing uploaded in this session yet. Drop an Excel or CSV export on the Data page.",
    },
    "no_stage_column_web": {
        "zh": "文件“{file}”中找不到“销售阶段”列。识别到的列：{headers}。请在下方选出阶段所在的列。",
        "en": "No stage column was found in “{file}”. Columns seen: {headers}. Pick the column that holds the stage below.",
    },
    "no_id_column_web": {
        "zh": "文件“{file}”中找不到商机编号列，也没有可代替的商机名称列。请在下方选出编号所在的列。",
        "en": "“{file}” has no opportunity id column, and no name column to fall back on. Pick the column that identifies each deal below.",
    },
    "no_snapshot_date_web": {
        "zh": "还不知道这份导出是哪一天的：请在“数据导入”页确认建议的日期。",
        "en": "Which day this export is from is not confirmed yet: confirm the proposed date on the Data page.",
    },
    "upload_refused": {
        "zh": "“{file}”还不能使用：{reason} 请到“数据导入”页处理。",
        "en": "“{file}” cannot be used yet: {reason} See the Data page.",
    },
    "upload_no_valid_rows": {
        "zh": "上传的文件没有一行通过校验（{rejected} 行被拒绝），多半是阶段模型“{model}”不认识文件里的阶段。请到“数据导入”页选用建议的模型或“使用文件自己的阶段”。",
        "en": "No row of the uploaded files passed validation ({rejected} rejected), most likely because the stage model “{model}” does not know the file's stages. On the Data page, take the proposed model or “use this file's stages”.",
    },
    "no_rows_filtered": {
        "zh": "当前筛选条件下没有商机。请放宽左侧的筛选。",
        "en": "No deals match the filters. Widen the filters on the left.",
    },
    "overview_title": {"zh": "销售漏斗概览", "en": "Sales funnel overview"},
    "overview_caption": {
        "zh": "{source} · 阶段模型：{model} · 截至 {as_of} · {count} 个快照",
        "en": "{source} · stage model: {model} · as of {as_of} · {count} snapshot(s)",
    },
    "kpi_open": {"zh": "进行中商机", "en": "Open deals"},
    "kpi_open_help": {
        "zh": "截至所选快照、状态为“进行中”的商机数，及其预计金额合计（搁置、输单、赢单不计入）。",
        "en": "Deals whose status is open at the selected snapshot, and their total amount (on-hold, lost and won deals are not counted).",
    },
    "kpi_weighted": {"zh": "加权金额", "en": "Weighted pipeline"},
    "kpi_weighted_help": {
        "zh": "Σ 各阶段进行中金额 × 阶段模型“{model}”的名义赢单概率（如入围客户 50%）。",
        "en": "Σ over stages of open amount × the nominal win probability of stage model “{model}” (e.g. Shortlisted 50%).",
    },
    "kpi_won": {"zh": "本期赢单", "en": "Won this period"},
    "kpi_won_help": {
        "zh": "在 {start} 之后、{end} 及之前赢单的商机数与金额（按实际成交日期；没有时按首次显示赢单的快照日期）。",
        "en": "Deals won after {start} and up to {end}, and their amount (by their close date; without one, by the first snapshot that shows them won).",
    },
    "kpi_won_help_first": {
        "zh": "截至 {end} 的第一个快照中已为“赢单”的商机（没有更早的快照可比）。",
        "en": "Deals already won in the first snapshot, {end} (there is no earlier snapshot to compare).",
    },
    "kpi_attention": {"zh": "需关注商机", "en": "Needs attention"},
    "kpi_attention_help": {
        "zh": "进行中但预计成交日期已过（{overdue} 个）或没有金额（{no_amount} 个）的商机。",
        "en": "Open deals whose expected close date has passed ({overdue}) or that have no amount ({no_amount}).",
    },
    "kpi_change": {"zh": "较 {date} {change}", "en": "{change} vs {date}"},
    "kpi_amount_delta": {"zh": "金额 {amount}", "en": "amount {amount}"},
    "chart_funnel": {
        "zh": "各阶段商机（按阶段模型顺序）",
        "en": "Deals per stage (in stage-model order)",
    },
    "chart_funnel_hover": {
        "zh": "%{{y}}<br>商机数：%{{x}}<br>金额：%{{customdata[0]}}<br>加权：%{{customdata[1]}}<br>{rule}<extra></extra>",
        "en": "%{{y}}<br>Deals: %{{x}}<br>Amount: %{{customdata[0]}}<br>Weighted: %{{customdata[1]}}<br>{rule}<extra></extra>",
    },
    "chart_funnel_rule": {
        "zh": "计数：该快照中状态为进行中、当前处于此阶段的商机；赢单阶段为本快照中状态为赢单的商机",
        "en": "Counted: deals open at this stage in the snapshot; the won stage counts deals whose status is won",
    },
    "measure": {"zh": "度量", "en": "Measure"},
    "measure_count": {"zh": "商机数", "en": "Deals"},
    "measure_amount": {"zh": "金额", "en": "Amount"},
    "chart_by_team": {"zh": "各团队进行中金额（按阶段）", "en": "Open pipeline by team and stage"},
    "chart_by_owner": {
        "zh": "各负责人进行中金额（按阶段）",
        "en": "Open pipeline by owner and stage",
    },
    "chart_by_source": {"zh": "按商机来源", "en": "By opportunity source"},
    "chart_by_grade": {"zh": "按客户等级", "en": "By customer grade"},
    "chart_trend": {"zh": "各月进行中商机趋势", "en": "Open pipeline month by month"},
    "chart_breakdown_hover": {
        "zh": "%{{y}} · %{{fullData.name}}<br>{measure}：%{{x:,.1f}}{unit}<br>进行中商机，截至所选快照<extra></extra>",
        "en": "%{{y}} · %{{fullData.name}}<br>{measure}: %{{x:,.1f}}{unit}<br>Open deals at the selected snapshot<extra></extra>",
    },
    "chart_trend_hover": {
        "zh": "%{{x}} · %{{fullData.name}}<br>{measure}：%{{y:,.1f}}{unit}<br>该快照中状态为进行中的商机<extra></extra>",
        "en": "%{{x}} · %{{fullData.name}}<br>{measure}: %{{y:,.1f}}{unit}<br>Deals open in that snapshot<extra></extra>",
    },
    "axis_amount": {"zh": "金额（{unit}）", "en": "Amount ({unit})"},
    "axis_count": {"zh": "商机数", "en": "Deals"},
    "unknown_group": {"zh": "（未填写）", "en": "(blank)"},
    "source_cold_visit": {"zh": "陌生拜访", "en": "Cold visit"},
    "source_follow_up": {"zh": "跟踪", "en": "Follow-up"},
    "source_penetration": {"zh": "渗透", "en": "Penetration"},
    "source_cultivation": {"zh": "耕耘", "en": "Cultivation"},
    "source_inbound": {"zh": "主动咨询", "en": "Inbound inquiry"},
    "grade_label": {"zh": "{grade} 级", "en": "Grade {grade}"},
    # Data page
    "data_title": {"zh": "数据导入", "en": "Data"},
    "data_intro": {
        "zh": "拖入一个或多个月度导出文件（xlsx、xlsm、xls、ods、csv）。文件名中的年月（如 2024-03）即快照日期。",
        "en": "Drop one or several monthly exports (xlsx, xlsm, xls, ods, csv). The month in the file name (e.g. 2024-03) is the snapshot date.",
    },
    "upload_label": {"zh": "上传月度导出文件", "en": "Upload monthly exports"},
    "upload_help": {
        "zh": "单个文件最大 {limit} MB（在 .streamlit/config.toml 的 server.maxUploadSize 中设置）。",
        "en": "Up to {limit} MB per file (set by server.maxUploadSize in .streamlit/config.toml).",
    },
    "progress_reading": {"zh": "正在读取 {name}（{i}/{n}）……", "en": "Reading {name} ({i}/{n})…"},
    "progress_done": {"zh": "已读取 {n} 个文件", "en": "Read {n} file(s)"},
    "file_refused": {"zh": "无法使用此文件", "en": "This file cannot be used"},
    "file_summary": {
        "zh": "读取 {read} 行：有效 {valid} 行，拒绝 {rejected} 行，警告 {warnings} 条",
        "en": "{read} rows read: {valid} valid, {rejected} rejected, {warnings} warnings",
    },
    "file_detected": {
        "zh": "格式 {format} · 工作表 {sheet} · 表头在第 {header_row} 行 · 形态 {shape} · 快照 {snapshot}",
        "en": "format {format} · sheet {sheet} · header on row {header_row} · shape {shape} · snapshot {snapshot}",
    },
    "notes_title": {"zh": "读取说明", "en": "What was decided"},
    "mapping_title": {"zh": "列映射（可修改）", "en": "Column mapping (editable)"},
    "mapping_help": {
        "zh": "每一列对应哪个字段。修改后立即重新校验；保存快照时，这份映射会被记住，下个月同样表头的文件自动沿用。",
        "en": "Which field each column feeds. Changes re-validate at once; saving a snapshot remembers the mapping for next month's file with the same headers.",
    },
    "mapping_header": {"zh": "文件中的列", "en": "Column in the file"},
    "mapping_field": {"zh": "对应字段", "en": "Field"},
    "mapping_origin": {"zh": "来源", "en": "Set by"},
    "mapping_samples": {"zh": "示例值", "en": "Sample values"},
    "origin_auto": {"zh": "自动识别", "en": "recognised"},
    "origin_user": {"zh": "手动指定", "en": "you"},
    "origin_remembered": {"zh": "上次确认", "en": "remembered"},
    "origin_none": {"zh": "未映射（保留）", "en": "unmapped (kept)"},
    "field_ignore": {"zh": "（不使用）", "en": "(not used)"},
    "pick_column": {"zh": "哪一列是 {field}？", "en": "Which column holds {field}?"},
    "mapping_reset": {"zh": "恢复自动识别", "en": "Reset to automatic"},
    "unknown_stages_title": {"zh": "无法识别的阶段值", "en": "Stage values not in the model"},
    "unknown_stages_help": {
        "zh": "为每个值选择对应的阶段；选择后这些行会重新校验并导入。",
        "en": "Choose the stage each value means; those rows are then re-validated and loaded.",
    },
    "unknown_stage_choice": {
        "zh": "“{value}”（{count} 行，如第 {rows} 行）",
        "en": "“{value}” ({count} rows, e.g. rows {rows})",
    },
    "unknown_keep": {"zh": "保持拒绝", "en": "Keep rejected"},
    "outcome_lost": {"zh": "输单", "en": "Lost"},
    "outcome_on_hold": {"zh": "搁置", "en": "On hold"},
    "as_of_needed": {
        "zh": "文件名中没有年月，请指定这份导出的快照日期：",
        "en": "The file name carries no month: give this export's snapshot date:",
    },
    "errors_title": {"zh": "错误（整行未导入）：{n}", "en": "Errors (rows rejected): {n}"},
    "warnings_title": {
        "zh": "警告（已导入并标记）：{n}",
        "en": "Warnings (rows kept, flagged): {n}",
    },
    "no_findings": {
        "zh": "所有行均有效，没有警告。",
        "en": "Every row is valid, with no warnings.",
    },
    "download_rejected": {"zh": "下载被拒绝的行（xlsx）", "en": "Download rejected rows (xlsx)"},
    "save_snapshot": {"zh": "保存为快照", "en": "Save as snapshot"},
    "save_help": {
        "zh": "把有效行保存到快照库（{store}）。同样内容的文件只会保存一次。",
        "en": "Keep the valid rows in the snapshot store ({store}). The same file content is stored once.",
    },
    "saved": {"zh": "已保存为快照 #{id}。", "en": "Saved as snapshot #{id}."},
    "already_saved": {
        "zh": "同样内容已是快照 #{id}，未重复保存。",
        "en": "The same content is already snapshot #{id}; not saved again.",
    },
    "stored_title": {"zh": "快照库中的快照", "en": "Snapshots in the store"},
    "stored_empty": {"zh": "快照库中还没有快照。", "en": "No snapshots stored yet."},
    "remove_choose": {"zh": "选择要删除的快照", "en": "Snapshot to remove"},
    "remove_button": {"zh": "删除快照", "en": "Remove snapshot"},
    "remove_confirm": {
        "zh": "确认删除快照 #{id}（{file}）？此操作无法撤销。",
        "en": "Remove snapshot #{id} ({file})? This cannot be undone.",
    },
    "remove_yes": {"zh": "确认删除", "en": "Yes, remove it"},
    "removed": {"zh": "已删除快照 #{id}。", "en": "Removed snapshot #{id}."},
    "shape_snapshot": {"zh": "月度快照", "en": "monthly snapshot"},
    "shape_stage_dates": {"zh": "按阶段日期", "en": "per-stage dates"},
    "shape_history": {"zh": "阶段变更日志", "en": "stage-history log"},
}
MESSAGES.update(UI)

MOVEMENT_UI: dict[str, dict[str, str]] = {
    "section_movement": {"zh": "流转", "en": "Movement"},
    "page_conversion": {"zh": "转化", "en": "Conversion"},
    "page_movement": {"zh": "变化", "en": "Changes"},
    "page_ageing": {"zh": "停留时长", "en": "Ageing"},
    "page_stage_check": {"zh": "阶段核查", "en": "Stage check"},
    "too_few": {"zh": "样本太少，仅供参考", "en": "too few to say"},
    "too_few_short": {"zh": "样本太少", "en": "too few"},
    "conversion_title": {"zh": "阶段转化", "en": "Stage conversion"},
    "conversion_caption": {
        "zh": "到达某阶段 = 该商机到过的最远阶段不低于此阶段（回退不影响）。{resolution}截至 {as_of}，共 {deals} 个商机；{unknown} 个输单商机只知“输单”，不计入任何阶段。",
        "en": "Reached a stage = the deal's furthest stage is this one or beyond (a later regression does not undo it). {resolution}As of {as_of}, {deals} deals; {unknown} lost deals are known only as lost and count in no stage.",
    },
    "resolution_snapshot": {
        "zh": "基于月度快照：变动时间精确到两次导出之间。",
        "en": "From monthly snapshots: a move is known to within one export interval. ",
    },
    "resolution_event": {"zh": "基于阶段变更日志。", "en": "From a stage-history log. "},
    "chart_conversion": {
        "zh": "到达各阶段的商机数与向下一阶段的转化",
        "en": "Deals that reached each stage, and conversion to the next",
    },
    "chart_conversion_hover": {
        "zh": "%{{y}}：到达 %{{x}} 个<br>转入下一阶段：%{{customdata[0]}}（95% 区间 %{{customdata[1]}}–%{{customdata[2]}}；分母含仍在进行的商机）<br>到达后赢单率：%{{customdata[3]}}（%{{customdata[4]}}–%{{customdata[5]}}；分母为已结束的 %{{customdata[6]}} 个）<br>%{{customdata[7]}}<extra></extra>",
        "en": "%{{y}}: %{{x}} reached<br>On to the next stage: %{{customdata[0]}} (95% %{{customdata[1]}}–%{{customdata[2]}}; open deals in the denominator)<br>P(win | reached): %{{customdata[3]}} (%{{customdata[4]}}–%{{customdata[5]}}; of %{{customdata[6]}} closed deals)<br>%{{customdata[7]}}<extra></extra>",
    },
    "chart_transitions": {
        "zh": "阶段流转矩阵（行：从，列：到）",
        "en": "Moves between stages (rows: from, columns: to)",
    },
    "chart_transitions_hover": {
        "zh": "从 %{{y}} 到 %{{x}}：%{{z}} 次<extra></extra>",
        "en": "From %{{y}} to %{{x}}: %{{z}} moves<extra></extra>",
    },
    "axis_from": {"zh": "从", "en": "From"},
    "axis_to": {"zh": "到", "en": "To"},
    "chart_win_rate": {
        "zh": "本期结单的赢单率（95% 区间）",
        "en": "Win rate of deals closed this period (95% interval)",
    },
    "chart_win_rate_hover": {
        "zh": "%{{x}}：%{{y:.0%}}（赢 %{{customdata[0]}} / 结单 %{{customdata[1]}}）<extra></extra>",
        "en": "%{{x}}: %{{y:.0%}} (won %{{customdata[0]}} of %{{customdata[1]}} closed)<extra></extra>",
    },
    "win_rate_by": {"zh": "赢单率分组", "en": "Win rate by"},
    "group_all": {"zh": "全部", "en": "All"},
    "limit_source_model": {"zh": "阶段模型", "en": "Stage model"},
    "limit_source_p80": {"zh": "实测 P80", "en": "Measured P80"},
    "win_cohort": {"zh": "口径", "en": "Cohort"},
    "download_full_report": {"zh": "下载完整报告（xlsx）", "en": "Full report (xlsx)"},
    "download_full_report_help": {
        "zh": "一个工作簿：漏斗、转化、流转、停留时间、管道变化、平衡漏斗计划、预测、概率校准、团队记分卡，每个视图一个工作表，最后一页是所有指标的定义。点击时生成，约需几秒。",
        "en": "One workbook: funnel, conversion, transitions, time in stage, pipeline changes, the balanced plan, forecast, calibration and scorecard, a sheet each, with every metric's definition on the last sheet. Built when clicked (a few seconds).",
    },
    "win_cohort_closed": {"zh": "近 12 个月结束", "en": "Closed in 12 months"},
    "win_cohort_created": {"zh": "近 12 个月创建", "en": "Created in 12 months"},
    "win_cohort_help": {
        "zh": "近 12 个月结束：截至快照日期的 12 个月内赢单或输单的商机（按实际成交日期；没有时按首次显示结果的快照），赢单 ÷（赢单 + 输单）。近 {months} 个月创建：这段时间创建的商机中已有结果的部分，赢单 ÷（赢单 + 输单）；仍在进行的不计入分母，比例见下方说明。",
        "en": "Closed in 12 months: deals won or lost in the 12 months to the as-of date (by their close date; without one, by the first snapshot that shows them closed), won ÷ (won + lost). Created in the last {months} months: of the deals created then, those already decided, won ÷ (won + lost); undecided deals are left out of the denominator, and the caption says how many.",
    },
    "win_cohort_created_caption": {
        "zh": "近 12 个月创建 {created} 个商机，其中 {share} 已有结果（赢单或输单）；输单往往比赢单来得早，新近的批次赢单率偏低。",
        "en": "{created} deals created in the last 12 months, {share} of them decided (won or lost); losses tend to come before wins, so a recent cohort's rate runs low.",
    },
    "flow_title": {"zh": "本期各阶段进出", "en": "Flow through the stages this period"},
    "movement_title": {"zh": "商机变化", "en": "Pipeline changes"},
    "movement_from": {"zh": "起始快照", "en": "From snapshot"},
    "movement_to": {"zh": "结束快照", "en": "To snapshot"},
    "transitions_need_two": {
        "zh": "一份导出只能看到商机现在在哪个阶段，看不到它们怎么移动：再上传上个月的导出（或一份阶段变更记录）后，这里显示阶段之间的移动。",
        "en": "One export shows where deals are, not how they moved: upload last month's export too (or a stage-history log) to see the moves between stages here.",
    },
    "movement_needs_two": {
        "zh": "至少需要两个快照才能比较变化：请再上传上个月的导出（或一份阶段变更记录）。",
        "en": "Comparing needs at least two snapshots: upload last month's export too (or a stage-history log).",
    },
    "chart_waterfall": {
        "zh": "进行中商机的变化（起始 + 新增 + 转入 + 增加 − 减少 − 赢单 − 输单 − 转出 = 结束）",
        "en": "Open pipeline change (start + new + moved in + up − down − won − lost − moved out = end)",
    },
    "chart_waterfall_hover": {
        "zh": "%{{x}}：%{{y:,.1f}}<extra></extra>",
        "en": "%{{x}}: %{{y:,.1f}}<extra></extra>",
    },
    "step_start": {"zh": "起始", "en": "Start"},
    "step_new": {"zh": "新增", "en": "New"},
    "step_moved_in": {"zh": "转入", "en": "Moved in"},
    "step_increased": {"zh": "金额增加", "en": "Increased"},
    "step_decreased": {"zh": "金额减少", "en": "Decreased"},
    "step_won": {"zh": "赢单", "en": "Won"},
    "step_lost": {"zh": "输单", "en": "Lost"},
    "step_moved_out": {"zh": "转出（搁置或消失）", "en": "Moved out (on hold or gone)"},
    "step_end": {"zh": "结束", "en": "End"},
    "step_unchanged": {"zh": "不变", "en": "Unchanged"},
    "changes_deals": {"zh": "各变化背后的商机", "en": "The deals behind each bar"},
    "regressions_title": {"zh": "阶段回退", "en": "Deals that moved backwards"},
    "slipped_title": {"zh": "预计成交日期推迟", "en": "Slipped close dates"},
    "amount_changes_title": {"zh": "金额变动", "en": "Amount changes"},
    "ageing_title": {"zh": "阶段停留时长", "en": "Time in stage"},
    "ageing_caption": {
        "zh": "每段停留都计入：已结束的为事件，仍在进行的按截至日期删失（Kaplan–Meier），而非只平均已结束的停留。",
        "en": "Every stay counts: finished stays are events, stays still under way are censored at the as-of date (Kaplan–Meier), rather than averaging finished stays only.",
    },
    "chart_survival": {"zh": "仍停留在该阶段的比例", "en": "Share of stays still in the stage"},
    "chart_survival_hover": {
        "zh": "%{{fullData.name}}：%{{x}} 天后仍有 %{{y:.0%}}<extra></extra>",
        "en": "%{{fullData.name}}: %{{y:.0%}} still there after %{{x}} days<extra></extra>",
    },
    "axis_days": {"zh": "天数", "en": "Days"},
    "durations_title": {"zh": "中位数与 P75（95% 区间）", "en": "Median and P75 (95% interval)"},
    "stalled_title": {
        "zh": "停滞商机（超过阶段上限，或无上限时超过该阶段 P80）",
        "en": "Stalled deals (past the stage's limit, or its P80 where it has none)",
    },
    "stalled_by_owner": {"zh": "按负责人", "en": "By owner"},
    "chart_buckets": {
        "zh": "进行中商机的阶段停留天数分布",
        "en": "Open deals by days in their stage",
    },
    "chart_buckets_hover": {
        "zh": "%{{x}} · %{{fullData.name}}：%{{y}} 个<extra></extra>",
        "en": "%{{x}} · %{{fullData.name}}: %{{y}} deals<extra></extra>",
    },
    "bucket_days": {"zh": "{days} 天", "en": "{days} days"},
    "check_title": {"zh": "阶段是否属实", "en": "Is the stage real?"},
    "check_caption": {
        "zh": "规则：该阶段的里程碑全部完成才算进入该阶段，缺一项即退回上一阶段。空白视为未完成。",
        "en": "Rule: a deal is in a stage only when all its milestones are done; one missing and it is still in the previous stage. Blank counts as not done.",
    },
    "check_none": {
        "zh": "这份数据没有里程碑检查列，无法核查阶段。",
        "en": "This data has no milestone checklist columns, so stages cannot be checked.",
    },
    "chart_check": {
        "zh": "漏斗：汇报阶段与里程碑支持的阶段",
        "en": "The funnel as reported and as the checklist supports",
    },
    "chart_check_hover": {
        "zh": "%{{x}} · %{{fullData.name}}：%{{y}} 个<extra></extra>",
        "en": "%{{x}} · %{{fullData.name}}: %{{y}} deals<extra></extra>",
    },
    "reported": {"zh": "汇报阶段", "en": "Reported"},
    "effective": {"zh": "里程碑支持的阶段", "en": "Backed by milestones"},
    "inflated_title": {
        "zh": "汇报阶段超前的商机",
        "en": "Deals reported ahead of their milestones",
    },
    "download_xlsx": {"zh": "下载（xlsx）", "en": "Download (xlsx)"},
}
MESSAGES.update(MOVEMENT_UI)

DEFINITIONS: dict[str, dict[str, str]] = {
    "def_open_pipeline": {
        "zh": "在手商机：快照中状态为进行中的商机，每个商机按当前阶段计一次（搁置、赢单、输单不计）。",
        "en": "Open pipeline: deals whose status is open at the snapshot, counted once at their current stage (on hold, won and lost are not in it).",
    },
    "def_weighted_pipeline": {
        "zh": "加权金额：在手金额 × 阶段赢单概率（标称值或校准值，表中注明）。",
        "en": "Weighted pipeline: open amount × the stage's win probability (nominal or calibrated, as stated).",
    },
    "def_reached_conversion": {
        "zh": "到达阶段转化：最远到达 k 阶段（或更远）的商机中，到达 k+1 的比例；赢单率 P(赢单|到达 k) 以已结束（赢或输）的商机为分母。",
        "en": "Reached-stage conversion: of deals whose furthest stage is k or beyond, the share that reached k+1; P(win | reached k) uses the closed (won or lost) deals as denominator.",
    },
    "def_win_rate": {
        "zh": "赢单率（本期结束口径）：本期赢单 ÷（本期赢单 + 本期输单），按数量与金额，附 Wilson 95% 区间；样本少于 20 标为“样本太少”。",
        "en": "Win rate (closed in period): won ÷ (won + lost) among deals closed in the period, by count and by amount, with a Wilson 95% interval; under 20 deals it is flagged 'too few'.",
    },
    "def_transitions": {
        "zh": "阶段流转矩阵：相邻两次观察之间的每次阶段变化（前进、跳级、回退、赢单、输单、搁置）。",
        "en": "Transitions: every observed change between two consecutive observations (forward, skip, backward, won, lost, on hold).",
    },
    "def_regression_rate": {
        "zh": "回退率：从某阶段回退离开的次数 ÷ 从该阶段离开的全部次数。",
        "en": "Regression rate: backward exits from a stage ÷ all exits from it.",
    },
    "def_time_in_stage": {
        "zh": "阶段停留时间：Kaplan–Meier 生存曲线，仍在阶段内的商机在截止日删失；给出中位数与 P75 及 95% 区间。",
        "en": "Time in stage: Kaplan–Meier survival curve, stays still under way censored at the as-of date; median and P75 with 95% intervals.",
    },
    "def_stalled": {
        "zh": "停滞商机：当前停留超过阶段模型上限，或（无上限时）超过该阶段 P80 的在手商机。",
        "en": "Stalled: open deals whose current stay is past the stage model's limit, or past the stage's own P80 when no limit is set.",
    },
    "def_pipeline_changes": {
        "zh": "管道变化：期初 + 新增 + 转入 + 增额 − 减额 − 赢单 − 输单 − 转出 = 期末，按数量和金额精确平衡。",
        "en": "Pipeline changes: start + new + moved in + increased − decreased − won − lost − moved out = end, reconciled by count and amount.",
    },
    "def_balanced_plan": {
        "zh": "平衡漏斗：需签约数 = 目标 ÷ 平均合同额；k 阶段每年需要 = 需签约数 ÷ P(赢单|到达 k)；每月 = 每年 ÷ 月数。",
        "en": "Balanced funnel: contracts needed = target ÷ average deal; deals needed at stage k per year = contracts ÷ P(win | reached k); per month = per year ÷ months.",
    },
    "def_plan_vs_actual": {
        "zh": "计划对比：每月实际到达各阶段的商机数对比计划需要；应有在手 = 每月需要 × 阶段停留中位数（月）；实际低于需要的 80% 为“过少”，在手超过应有 125% 而下一阶段过少为“积压”。",
        "en": "Plan vs actual: deals reaching each stage per month against the plan's need; open deals implied = need per month × median months in stage; under 80% of the need is 'thin', over 125% of the implied stock while the next stage is thin is 'stuck'.",
    },
    "def_calibration": {
        "zh": "概率校准：校准值 =（赢单数 + 20 × 标称值）÷（已结束数 + 20），即把标称值当作 20 个商机的先验；区间为 Beta 后验 95% 区间。",
        "en": "Calibration: calibrated = (won + 20 × nominal) ÷ (closed + 20), the nominal value counting as 20 deals of prior evidence; the interval is the Beta posterior's 95% interval.",
    },
    "def_monte_carlo": {
        "zh": "蒙特卡洛预测：每次模拟中每个在手商机按其阶段概率决定赢输，赢单月份按该阶段实测的“到赢单时间”（已停留时间为条件）抽取；可加入按实测速度新增的商机。给出每月/季度 P10/P50/P90；固定随机种子，结果可复现。",
        "en": "Monte Carlo forecast: in each run every open deal is won with its stage's probability and closes in a month drawn from the stage's measured time to win, given its time in stage so far; new deals may arrive at the measured intake. P10/P50/P90 per month and quarter; seeded and reproducible.",
    },
    "def_p_hit_target": {
        "zh": "达成目标概率：模拟中“期内已赢单 + 模拟赢单”达到目标的比例。",
        "en": "P(reach target): share of runs where won so far plus simulated bookings reach the target by the period's end.",
    },
    "def_forecast_accuracy": {
        "zh": "预测准确度：每个历史快照时，预计在下一快照前成交的商机的加权金额，对比该区间实际赢单金额；偏差 = Σ预测 ÷ Σ实际 − 1。",
        "en": "Forecast accuracy: at each past snapshot, the weighted amount of deals expected to close before the next snapshot against what was won in that interval; bias = Σ forecast ÷ Σ actual − 1.",
    },
    "def_scorecard": {
        "zh": "团队记分卡：过程与结果并重——阶段推进、回退、本期赢单率、停滞、阶段虚报、赢单金额；漏斗平衡度 = 在手数量达到个人平衡漏斗要求 80% 的阶段占比。",
        "en": "Scorecard: process beside results (advancements, regressions, win rate in the period, stalled, stage inflation, won amount); funnel balance = share of stages where the rep holds at least 80% of their balanced-funnel requirement.",
    },
}

PLANNING_UI: dict[str, dict[str, str]] = {
    "section_planning": {"zh": "计划与预测", "en": "Planning"},
    "page_planner": {"zh": "平衡漏斗", "en": "Planner"},
    "page_forecast": {"zh": "预测", "en": "Forecast"},
    "page_scenarios": {"zh": "情景", "en": "Scenarios"},
    "page_team": {"zh": "团队", "en": "Team"},
    "working": {"zh": "计算中…", "en": "Working…"},
    "months_n": {"zh": "{n} 个月", "en": "{n} months"},
    "period_year": {"zh": "本年度", "en": "This year"},
    "period_next_12_months": {"zh": "未来 12 个月", "en": "Next 12 months"},
    "plan_period": {"zh": "目标期间", "en": "Target period"},
    "prob_source": {"zh": "赢单概率", "en": "Win probabilities"},
    "prob_choice_calibrated": {"zh": "校准", "en": "Calibrated"},
    "prob_choice_nominal": {"zh": "标称", "en": "Nominal"},
    "prob_choice_observed": {"zh": "实测", "en": "Observed"},
    "prob_source_help": {
        "zh": "校准：按历史测得的 P(赢单|到达阶段)，小样本向阶段模型的标称值收缩（标称值相当于 20 个商机的先验）；标称：阶段模型的百分比；实测：历史比例，无已结束商机时用标称值。",
        "en": "Calibrated: P(win | reached stage) measured from history, shrunk toward the stage model's nominal value on small samples (nominal counts as 20 deals of evidence). Nominal: the stage model's percentages. Observed: the raw historical share (nominal where nothing closed).",
    },
    "plan_by": {"zh": "目标口径", "en": "Target by"},
    "plan_by_choice_amount": {"zh": "按金额", "en": "Amount"},
    "plan_by_choice_units": {"zh": "按台数", "en": "Units"},
    "planner_title": {"zh": "平衡漏斗计划", "en": "Balanced-funnel planner"},
    "planner_caption": {
        "zh": "从目标倒推：需签约数 = 目标 ÷ 平均合同额；每个阶段每年需要的商机 = 需签约数 ÷ P(赢单|到达该阶段)；再与实际的商机流入、在手商机对比，找出漏斗过少或积压的阶段。",
        "en": "Work back from the target: contracts = target ÷ average deal; deals each stage needs a year = contracts ÷ P(win | reached the stage); then hold it against the deals actually flowing in and sitting in each stage to see where the funnel is too thin or stuck.",
    },
    "plan_target": {"zh": "目标", "en": "Target"},
    "plan_target_help": {
        "zh": "期间内要达成的签约金额；默认是截至日前 12 个月的赢单金额。",
        "en": "Bookings to reach in the period; defaults to what was won in the 12 months before the as-of date.",
    },
    "plan_average": {"zh": "平均合同额", "en": "Average deal"},
    "plan_average_help": {
        "zh": "默认：截至日前 12 个月赢单的平均金额。",
        "en": "Default: the average amount of the deals won in the 12 months before the as-of date.",
    },
    "plan_target_units": {"zh": "目标（台数）", "en": "Target (units)"},
    "plan_average_units": {"zh": "平均每单台数", "en": "Units per contract"},
    "plan_months": {"zh": "期间月数", "en": "Months in the period"},
    "plan_contracts": {"zh": "需签约数", "en": "Contracts needed"},
    "plan_contracts_help": {"zh": "目标 ÷ 平均合同额。", "en": "Target ÷ average deal."},
    "plan_intake": {"zh": "每月需新增商机", "en": "New deals needed a month"},
    "plan_vs_actual_short": {"zh": "实际差额", "en": "actual vs needed"},
    "plan_intake_help": {
        "zh": "需签约数 ÷ P(赢单|第一阶段) ÷ 月数；实际值为最近 {window} 个月平均每月到达第一阶段的商机数。",
        "en": "Contracts ÷ P(win | first stage) ÷ months; the actual is the deals reaching the first stage per month over the last {window} months.",
    },
    "plan_won_to_date": {"zh": "期内已赢单", "en": "Won so far"},
    "plan_won_help": {
        "zh": "自 {start} 起赢单的金额（按赢单时的金额）。",
        "en": "Amount won since {start} (at the amount when won).",
    },
    "plan_coverage": {"zh": "管道覆盖率", "en": "Coverage"},
    "plan_coverage_help": {
        "zh": "在手金额 ÷ 剩余目标；加权覆盖率 {weighted}。",
        "en": "Open pipeline ÷ target still to win; weighted coverage {weighted}.",
    },
    "plan_flag_thin": {
        "zh": "过少：{stages} 每月实际到达的商机不足计划需要的 80%。",
        "en": "Too thin: {stages} get fewer than 80% of the deals a month the plan needs.",
    },
    "plan_flag_stuck": {
        "zh": "积压：{stages} 在手商机超过应有的 125%，而下一阶段流入不足。",
        "en": "Stuck: {stages} hold over 125% of the deals implied while the next stage is thin.",
    },
    "plan_flag_balanced": {
        "zh": "各阶段的流入都达到计划需要的 80% 以上。",
        "en": "Every stage gets at least 80% of the deals the plan needs.",
    },
    "plan_status_thin": {"zh": "过少", "en": "too thin"},
    "plan_status_stuck": {"zh": "积压", "en": "stuck"},
    "plan_status_balanced": {"zh": "平衡", "en": "balanced"},
    "plan_status_no_data": {"zh": "无数据", "en": "no data"},
    "plan_needed": {"zh": "计划需要", "en": "Needed"},
    "plan_actual": {"zh": "实际", "en": "Actual"},
    "chart_plan": {
        "zh": "每月到达各阶段的商机：计划需要 vs 实际",
        "en": "Deals reaching each stage a month: needed vs actual",
    },
    "chart_plan_needed_hover": {
        "zh": "%{{x}}：计划每月需要 %{{y:.1f}} 个（需签约数 ÷ P(赢单|到达) ÷ 月数）<extra></extra>",
        "en": "%{{x}}: the plan needs %{{y:.1f}} a month (contracts ÷ P(win | reached) ÷ months)<extra></extra>",
    },
    "chart_plan_actual_hover": {
        "zh": "%{{x}}：最近 12 个月平均每月到达 %{{y:.1f}} 个 · %{{customdata}}<extra></extra>",
        "en": "%{{x}}: %{{y:.1f}} a month reached it over the last 12 months · %{{customdata}}<extra></extra>",
    },
    "axis_deals_per_month": {"zh": "商机数 / 月", "en": "deals a month"},
    "plan_table": {"zh": "计划", "en": "The plan"},
    "plan_vs_table": {"zh": "计划对比实际", "en": "Plan vs actual"},
    "plan_schedule": {
        "zh": "按月进入各阶段的商机",
        "en": "Deals to enter each stage, month by month",
    },
    "plan_schedule_caption": {
        "zh": "按实测的“从该阶段到赢单”的月数提前：要在期间内均匀签约，商机需提前这么多个月进入该阶段。",
        "en": "Shifted by the measured months from each stage to won: for contracts to land evenly over the period, deals must enter the stage that many months earlier.",
    },
    "forecast_title": {"zh": "预测", "en": "Forecast"},
    "forecast_new_deals": {"zh": "计入未来新增商机", "en": "Include deals not yet created"},
    "forecast_new_deals_help": {
        "zh": "按实测的每月新增速度与平均金额，加入尚未创建的商机（从第一阶段开始）。",
        "en": "Add deals not yet created, arriving at the measured monthly intake with the measured average amount, starting at the first stage.",
    },
    "forecast_runs": {"zh": "模拟次数", "en": "Monte Carlo runs"},
    "forecast_seed": {"zh": "随机种子", "en": "Seed"},
    "forecast_seed_help": {
        "zh": "相同的数据与种子得到完全相同的结果。",
        "en": "The same data and seed give exactly the same figures.",
    },
    "forecast_running": {"zh": "模拟 {runs} 次…", "en": "Running {runs} simulations…"},
    "forecast_weighted_total": {"zh": "加权管道", "en": "Weighted pipeline"},
    "forecast_weighted_help": {
        "zh": "Σ 在手金额 × 阶段赢单概率（{source}）。",
        "en": "Σ open amount × the stage's win probability ({source}).",
    },
    "forecast_range": {"zh": "截至 {end} 的 P50", "en": "P50 to {end}"},
    "forecast_range_help": {
        "zh": "期内已赢单 {won} + 模拟签约；P10 {p10}，P90 {p90}。{runs} 次模拟，种子 {seed}。",
        "en": "Won so far {won} + simulated bookings; P10 {p10}, P90 {p90}. {runs} runs, seed {seed}.",
    },
    "forecast_p_hit": {"zh": "达成目标概率", "en": "P(reach target)"},
    "forecast_p_hit_help": {
        "zh": "模拟中“已赢单 + 模拟签约”在期末前达到 {target} 的比例。",
        "en": "Share of runs where won so far plus simulated bookings reach {target} by the period's end.",
    },
    "forecast_overdue": {"zh": "预计日期已过", "en": "Overdue close dates"},
    "forecast_overdue_help": {
        "zh": "预计成交日期已过但仍在进行的商机（金额 {amount}）：单独列出，不会被悄悄挪到未来月份。",
        "en": "Open deals whose expected close date has passed ({amount}): listed on their own, never silently moved to a later month.",
    },
    "forecast_caption": {
        "zh": "蒙特卡洛：{runs} 次模拟（种子 {seed}）。每次模拟中，{deals} 个在手商机按阶段概率决定赢输，赢单月份按该阶段实测的到赢单时间抽取（考虑已停留时间）；另有 {new} 个未来新增商机（每月 {rate} 个）。",
        "en": "Monte Carlo: {runs} runs (seed {seed}). In each run the {deals} open deals are won with their stage's probability, in a month drawn from the stage's measured time to win (given the time already spent there); plus {new} deals not yet created ({rate} a month).",
    },
    "forecast_freq": {"zh": "周期", "en": "Period"},
    "freq_M": {"zh": "按月", "en": "Monthly"},
    "freq_Q": {"zh": "按季", "en": "Quarterly"},
    "forecast_expected": {"zh": "期望值", "en": "Expected"},
    "chart_forecast": {
        "zh": "预计签约：P10–P90 区间与 P50",
        "en": "Bookings: the P10–P90 range and P50",
    },
    "chart_forecast_hover": {
        "zh": "%{{x}} {p}：%{{y:,.0f}} {unit}<br>每个商机按阶段概率赢单，月份按阶段实测的到赢单时间抽取<extra></extra>",
        "en": "%{{x}} {p}: %{{y:,.0f}} {unit}<br>each deal won with its stage's probability, in a month drawn from the stage's measured time to win<extra></extra>",
    },
    "forecast_open_amount": {"zh": "在手金额", "en": "Open amount"},
    "forecast_weighted": {"zh": "加权金额", "en": "Weighted"},
    "bucket_overdue": {"zh": "已逾期", "en": "Overdue"},
    "bucket_no_date": {"zh": "无日期", "en": "No date"},
    "chart_weighted": {
        "zh": "按预计成交月份的在手与加权金额",
        "en": "Open and weighted amount by expected close month",
    },
    "chart_weighted_hover": {
        "zh": "%{{x}}：%{{customdata}} 个商机，%{{y:,.0f}} {unit}<br>加权 = 金额 × 阶段概率；已逾期 = 预计日期已过（未挪动）<extra></extra>",
        "en": "%{{x}}: %{{customdata}} deals, %{{y:,.0f}} {unit}<br>weighted = amount × stage probability; overdue = expected date already past (not moved)<extra></extra>",
    },
    "forecast_overdue_list": {
        "zh": "预计日期已过的 {n} 个商机",
        "en": "The {n} deals whose expected close date has passed",
    },
    "forecast_categories": {
        "zh": "按预测类别（导出中的承诺 / 最佳情况 / 管道）",
        "en": "By forecast category (commit / best case / pipeline, from the export)",
    },
    "calibration_title": {"zh": "阶段概率校准", "en": "Calibrated stage probabilities"},
    "calibration_caption": {
        "zh": "标称：阶段模型的百分比；实测：到达该阶段且已结束的商机中赢单的比例（95% 区间）；校准 =（赢单 + 20 × 标称）÷（已结束 + 20）。",
        "en": "Nominal: the stage model's percentage; observed: the share won among closed deals that reached the stage (95% interval); calibrated = (won + 20 × nominal) ÷ (closed + 20).",
    },
    "cal_nominal": {"zh": "标称", "en": "Nominal"},
    "cal_observed": {"zh": "实测", "en": "Observed"},
    "cal_calibrated": {"zh": "校准", "en": "Calibrated"},
    "chart_calibration": {
        "zh": "P(赢单|到达阶段)：标称 vs 实测 vs 校准",
        "en": "P(win | reached stage): nominal vs observed vs calibrated",
    },
    "chart_cal_hover": {
        "zh": "%{{x}} · {what}：%{{y:.0%}}<extra></extra>",
        "en": "%{{x}} · {what}: %{{y:.0%}}<extra></extra>",
    },
    "chart_cal_observed_hover": {
        "zh": "%{{x}}：实测 %{{y:.0%}}，基于 %{{customdata[0]}} 个已结束商机（Wilson 95% 区间）<extra></extra>",
        "en": "%{{x}}: observed %{{y:.0%}} of %{{customdata[0]}} closed deals (Wilson 95% interval)<extra></extra>",
    },
    "chart_cal_calibrated_hover": {
        "zh": "%{{x}}：校准 %{{y:.0%}} =（赢单 + 20 × 标称）÷（已结束 + 20）；数据权重 %{{customdata[0]:.0%}}<extra></extra>",
        "en": "%{{x}}: calibrated %{{y:.0%}} = (won + 20 × nominal) ÷ (closed + 20); weight of data %{{customdata[0]:.0%}}<extra></extra>",
    },
    "accuracy_title": {"zh": "历史预测准确度", "en": "Forecast accuracy over past snapshots"},
    "accuracy_none": {
        "zh": "需要至少两个快照且期间有赢单，才能评估预测准确度。",
        "en": "Accuracy needs at least two snapshots with deals won between them.",
    },
    "accuracy_high": {
        "zh": "过去 {periods} 个区间，此时的预测平均是实际赢单的 **{ratio} 倍**（偏高）；上面的预测没有按此修正。",
        "en": "Over the last {periods} intervals, forecasts made at this point were **{ratio}× what was actually won** (too high); the forecast above is not corrected for that.",
    },
    "accuracy_low": {
        "zh": "过去 {periods} 个区间，此时的预测平均只有实际赢单的 **{share}**（偏低）；上面的预测没有按此修正。",
        "en": "Over the last {periods} intervals, forecasts made at this point came to **{share} of what was actually won** (too low); the forecast above is not corrected for that.",
    },
    "accuracy_close": {
        "zh": "过去 {periods} 个区间，此时的预测与实际赢单相差在 10% 以内。",
        "en": "Over the last {periods} intervals, forecasts made at this point were within 10% of what was actually won.",
    },
    "accuracy_caption": {
        "zh": "{periods} 个区间：偏差 {bias}（Σ预测 ÷ Σ实际 − 1），平均绝对百分比误差 {mape}。预测 = 每个快照时预计在下一快照前成交的商机 × 标称概率。",
        "en": "{periods} intervals: bias {bias} (Σ forecast ÷ Σ actual − 1), mean absolute percentage error {mape}. Forecast = deals expected to close before the next snapshot × nominal probability, as of each snapshot.",
    },
    "acc_forecast": {"zh": "当时预测", "en": "Forecast then"},
    "acc_actual": {"zh": "实际赢单", "en": "Actually won"},
    "chart_accuracy": {
        "zh": "每个快照对下一区间的预测 vs 实际",
        "en": "Forecast at each snapshot for the next interval vs actual",
    },
    "chart_acc_hover": {
        "zh": "快照 %{{x}}：预测 %{{y:,.0f}} {unit}，来自 %{{customdata}} 个预计在下一快照前成交的商机（金额 × 标称概率）<extra></extra>",
        "en": "Snapshot %{{x}}: forecast %{{y:,.0f}} {unit} from %{{customdata}} deals due before the next snapshot (amount × nominal probability)<extra></extra>",
    },
    "chart_acc_actual_hover": {
        "zh": "快照 %{{x}} 之后到下一快照：实际赢单 %{{y:,.0f}} {unit}<extra></extra>",
        "en": "From snapshot %{{x}} to the next: won %{{y:,.0f}} {unit}<extra></extra>",
    },
    "scenarios_title": {"zh": "情景模拟", "en": "Scenarios"},
    "scenarios_caption": {
        "zh": "拉动四个杠杆（提高赢单率、更多更好的商机、缩短周期、提高单笔金额），通过同一套计划与预测计算，与基准并排比较。",
        "en": "Pull the four levers (win rate, more and better deals, a shorter cycle, bigger deals) through the same planner and forecast, side by side with the baseline.",
    },
    "scenarios_context": {
        "zh": "期间：{period}；概率：{source}（在“平衡漏斗”页更改）。",
        "en": "Period: {period}; probabilities: {source} (change them on the Planner page).",
    },
    "scenario_new": {"zh": "新建情景", "en": "New scenario"},
    "scenario_name": {"zh": "名称", "en": "Name"},
    "scenario_name_hint": {"zh": "例如：赢单率 +10%", "en": "e.g. Win rate +10%"},
    "scenario_default_name": {"zh": "情景 {n}", "en": "Scenario {n}"},
    "scenario_add": {"zh": "加入比较", "en": "Add to the comparison"},
    "scenario_duplicate": {
        "zh": "已有名为“{name}”的情景。",
        "en": "There is already a scenario called “{name}”.",
    },
    "scenario_remove": {"zh": "删除", "en": "Remove"},
    "scenario_empty": {
        "zh": "还没有情景：在上方设置杠杆并加入比较，或载入保存的情景文件。",
        "en": "No scenarios yet: set the levers above and add one, or load a saved scenarios file.",
    },
    "scenario_levers": {
        "zh": "赢单率 {win} · 商机数 {deals} · 周期 {cycle} · 单笔金额 {size}",
        "en": "win rate {win} · deals {deals} · cycle {cycle} · deal size {size}",
    },
    "scenario_load": {"zh": "载入情景文件（.json）", "en": "Load scenarios (.json)"},
    "scenario_load_help": {
        "zh": "用“保存情景”下载的文件。",
        "en": "A file saved with “Save scenarios”.",
    },
    "scenario_bad_file": {
        "zh": "无法载入情景文件：{detail}",
        "en": "Cannot load the scenarios file: {detail}",
    },
    "scenario_save": {"zh": "保存情景（.json）", "en": "Save scenarios (.json)"},
    "scenario_running": {"zh": "计算各情景…", "en": "Running the scenarios…"},
    "scenario_baseline": {"zh": "基准", "en": "Baseline"},
    "lever_win_rate": {"zh": "赢单率", "en": "Win rate"},
    "lever_win_rate_help": {
        "zh": "所有阶段的 P(赢单) 乘以 (1 + 变化)，上限 100%。",
        "en": "Every stage's P(win) × (1 + change), capped at 100%.",
    },
    "lever_deals": {"zh": "商机数量", "en": "Deals"},
    "lever_deals_help": {
        "zh": "每月新增商机数乘以 (1 + 变化)。",
        "en": "New deals a month × (1 + change).",
    },
    "lever_cycle": {"zh": "销售周期", "en": "Sales cycle"},
    "lever_cycle_help": {
        "zh": "到赢单时间乘以 (1 + 变化)；负数表示缩短。",
        "en": "Time to win × (1 + change); negative means shorter.",
    },
    "lever_deal_size": {"zh": "单笔金额", "en": "Deal size"},
    "lever_deal_size_help": {
        "zh": "所有商机金额乘以 (1 + 变化)。",
        "en": "Every deal's amount × (1 + change).",
    },
    "lever_by_stage": {"zh": "按阶段调整赢单率（%）", "en": "Win rate by stage (%)"},
    "lever_better": {"zh": "改善 20%", "en": "20% better"},
    "lever_worse": {"zh": "变差 20%", "en": "20% worse"},
    "chart_scenarios": {
        "zh": "各情景的期内签约（P50，误差线为 P10–P90）",
        "en": "Bookings in the period by scenario (P50; whiskers P10–P90)",
    },
    "chart_scenarios_hover": {
        "zh": "%{{x}}：P50 %{{y:,.0f}} {unit}；达成目标概率 %{{customdata[0]:.0%}}<extra></extra>",
        "en": "%{{x}}: P50 %{{y:,.0f}} {unit}; P(reach target) %{{customdata[0]:.0%}}<extra></extra>",
    },
    "target_line": {"zh": "目标", "en": "Target"},
    "tornado_title": {"zh": "哪个杠杆影响最大", "en": "Which lever matters most"},
    "tornado_caption": {
        "zh": "每次只动一个杠杆 ±20%，看期内签约期望值的变化（精确期望，无抽样）。在期内来不及起作用的杠杆没有柱：例如新商机从创建到赢单所需的时间长于期内剩余月份时，“商机数量”不影响本期。",
        "en": "Each lever moved ±20% alone, and the change in the period's expected bookings (exact expectation, no sampling). A lever that cannot act within the period has no bar: more new deals, for one, change nothing when winning a new deal takes longer than the months left.",
    },
    "chart_tornado": {"zh": "杠杆敏感度", "en": "Lever sensitivity"},
    "chart_tornado_hover": {
        "zh": "%{{y}}：期望签约相对基准 %{{x:+,.0f}} {unit}<extra></extra>",
        "en": "%{{y}}: %{{x:+,.0f}} {unit} of expected bookings vs baseline<extra></extra>",
    },
    "team_title": {"zh": "团队记分卡", "en": "Team scorecard"},
    "team_caption": {
        "zh": "周期长，只看签约对销售不公平：这里把过程（阶段推进、漏斗平衡、转化、停滞、回退、阶段虚报）与结果（赢单）并排。",
        "en": "With long cycles, signed orders alone judge reps unfairly: the process (advancements, funnel balance, conversion, stalled deals, regressions, stage inflation) sits beside the results (won).",
    },
    "team_by": {"zh": "按", "en": "By"},
    "team_months": {"zh": "考核期", "en": "Review period"},
    "forecast_no_target": {
        "zh": "没有目标：近 12 个月没有赢单额可作默认值。请在上方输入目标。",
        "en": "No target: nothing was won in the last 12 months to default from. Enter a target above.",
    },
    "team_period": {
        "zh": "考核期 {start} 至 {end}；目标 {target}（近 12 个月赢单额，与计划页的默认值相同）；个人要求 = 该目标的平衡漏斗 ÷ 人数。",
        "en": "Review period {start} to {end}; target {target} (won in the last 12 months, the Planner's default); each one's requirement = the balanced funnel of that target ÷ headcount.",
    },
    "team_balance_none": {
        "zh": "没有可对照的计划：需要目标（近 12 个月赢单额或手动输入）、平均单额和各阶段赢单概率。可在“平衡漏斗”页补齐。",
        "en": "No plan to hold the pipeline against: it needs a target (won in the last 12 months, or one you enter), an average deal and each stage's win probability. The Planner page shows what is missing.",
    },
    "team_balance_no_durations": {
        "zh": "各阶段应有多少在手商机 = 每月需要 × 在该阶段的停留时长；这份数据测不出停留时长。上传两个以上月度快照、一份阶段变更记录，或带“进入当前阶段日期”列的导出后即可显示。",
        "en": "How many open deals a stage should hold = deals needed per month × time in that stage, and this data cannot measure time in stage. Upload two or more monthly snapshots, a stage-history log, or an export with a date-entered-stage column.",
    },
    "team_mix_none": {
        "zh": "这份数据没有可用的“{what}”列，无法显示构成。导出时带上该列即可。",
        "en": "This data has no usable “{what}” column, so there is no mix to show. Include that column in the export.",
    },
    "team_empty": {"zh": "没有可比较的负责人或团队。", "en": "No owners or teams to compare."},
    "chart_balance": {
        "zh": "漏斗平衡：在手商机 ÷ 个人计划要求",
        "en": "Funnel balance: open deals ÷ each one's share of the plan",
    },
    "chart_balance_hover": {
        "zh": "%{{y}} · %{{x}}：在手 ÷ 要求 = %{{z:.2f}}（1 为刚好；低于 0.8 过少）<extra></extra>",
        "en": "%{{y}} · %{{x}}: open ÷ required = %{{z:.2f}} (1 = as planned; under 0.8 too thin)<extra></extra>",
    },
    "chart_mix_grade": {"zh": "在手商机的客户等级构成", "en": "Open deals by customer grade"},
    "chart_mix_source": {"zh": "在手商机的来源构成", "en": "Open deals by source"},
    "chart_mix_hover": {
        "zh": "%{{y}}：{what} 占在手商机 %{{x:.0%}}<extra></extra>",
        "en": "%{{y}}: {what} is %{{x:.0%}} of open deals<extra></extra>",
    },
}
MESSAGES.update({k: v for k, v in PLANNING_UI.items() if k not in MESSAGES})


REPORT_SHEETS: dict[str, dict[str, str]] = {
    "sheet_funnel": {"zh": "漏斗", "en": "Funnel"},
    "sheet_conversion": {"zh": "阶段转化", "en": "Conversion"},
    "sheet_win_rate": {"zh": "赢单率", "en": "Win rate"},
    "sheet_transitions": {"zh": "流转矩阵", "en": "Transitions"},
    "sheet_regressions": {"zh": "回退商机", "en": "Regressions"},
    "sheet_stored_snapshots": {"zh": "已保存的快照", "en": "Stored snapshots"},
    "sheet_stage_flow": {"zh": "阶段流量", "en": "Stage flow"},
    "sheet_win_rate_created": {"zh": "新建批次赢单率", "en": "Win rate by created cohort"},
    "sheet_schedule": {"zh": "每月进入计划", "en": "Monthly schedule"},
    "sheet_stage_check": {"zh": "阶段核查", "en": "Stage check"},
    "sheet_inflation_by_owner": {"zh": "各负责人超前商机", "en": "Ahead by owner"},
    "sheet_regression_rates": {"zh": "回退率", "en": "Regression rates"},
    "sheet_time_in_stage": {"zh": "阶段停留时间", "en": "Time in stage"},
    "sheet_stalled": {"zh": "停滞商机", "en": "Stalled deals"},
    "sheet_pipeline_changes": {"zh": "管道变化", "en": "Pipeline changes"},
    "sheet_pipeline_change_deals": {"zh": "管道变化明细", "en": "Pipeline change deals"},
    "sheet_slipped": {"zh": "推迟商机", "en": "Slipped deals"},
    "sheet_amount_changes": {"zh": "金额变动", "en": "Amount changes"},
    "sheet_win_rate_by_team": {"zh": "赢单率-团队", "en": "Win rate by team"},
    "sheet_win_rate_by_owner": {"zh": "赢单率-负责人", "en": "Win rate by owner"},
    "sheet_win_rate_by_source": {"zh": "赢单率-来源", "en": "Win rate by source"},
    "sheet_win_rate_by_grade": {"zh": "赢单率-等级", "en": "Win rate by grade"},
    "sheet_plan": {"zh": "平衡漏斗计划", "en": "Balanced plan"},
    "sheet_plan_vs_actual": {"zh": "计划对比实际", "en": "Plan vs actual"},
    "sheet_forecast_weighted_by_month": {"zh": "加权预测-月", "en": "Weighted by month"},
    "sheet_forecast_weighted_by_quarter": {"zh": "加权预测-季", "en": "Weighted by quarter"},
    "sheet_forecast_by_month": {"zh": "预测区间-月", "en": "Forecast range by month"},
    "sheet_forecast_by_quarter": {"zh": "预测区间-季", "en": "Forecast range by quarter"},
    "sheet_forecast_deals": {"zh": "预测商机明细", "en": "Forecast deals"},
    "sheet_forecast_accuracy": {"zh": "预测准确度", "en": "Forecast accuracy"},
    "sheet_forecast_categories": {"zh": "预测类别", "en": "Forecast categories"},
    "sheet_calibration": {"zh": "概率校准", "en": "Calibration"},
    "sheet_scorecard_owner": {"zh": "记分卡-负责人", "en": "Scorecard by owner"},
    "sheet_scorecard_team": {"zh": "记分卡-团队", "en": "Scorecard by team"},
    "sheet_definitions": {"zh": "指标定义", "en": "Definitions"},
    "sheet_columns": {"zh": "列说明", "en": "Columns"},
    "sheet_scenarios": {"zh": "情景对比", "en": "Scenarios"},
    "sheet_tornado": {"zh": "杠杆敏感度", "en": "Levers"},
    "metric_open_pipeline": {"zh": "在手商机", "en": "Open pipeline"},
    "metric_weighted_pipeline": {"zh": "加权金额", "en": "Weighted pipeline"},
    "metric_reached_conversion": {"zh": "到达阶段转化", "en": "Reached-stage conversion"},
    "metric_win_rate": {"zh": "赢单率", "en": "Win rate"},
    "metric_transitions": {"zh": "流转矩阵", "en": "Transitions"},
    "metric_regression_rate": {"zh": "回退率", "en": "Regression rate"},
    "metric_time_in_stage": {"zh": "阶段停留时间", "en": "Time in stage"},
    "metric_stalled": {"zh": "停滞商机", "en": "Stalled deals"},
    "metric_pipeline_changes": {"zh": "管道变化", "en": "Pipeline changes"},
    "metric_balanced_plan": {"zh": "平衡漏斗", "en": "Balanced funnel"},
    "metric_plan_vs_actual": {"zh": "计划对比实际", "en": "Plan vs actual"},
    "metric_calibration": {"zh": "概率校准", "en": "Calibrated probabilities"},
    "metric_monte_carlo": {"zh": "蒙特卡洛预测", "en": "Monte Carlo forecast"},
    "metric_p_hit_target": {"zh": "达成目标概率", "en": "P(reach target)"},
    "metric_forecast_accuracy": {"zh": "预测准确度", "en": "Forecast accuracy"},
    "metric_scorecard": {"zh": "团队记分卡", "en": "Team scorecard"},
    "col_metric": {"zh": "指标", "en": "Metric"},
    "col_definition": {"zh": "定义", "en": "Definition"},
}

MESSAGES.update(DEFINITIONS)
MESSAGES.update({k: v for k, v in REPORT_SHEETS.items() if k not in MESSAGES})


def column_label(column: str, lang: str = "zh") -> str:
    """A table header in ``lang`` for a column the library returns; the key if none is known."""
    key = f"col_{column}"
    return t(key, lang) if key in MESSAGES else column


def t(key: str, lang: str = "zh", /, **params: object) -> str:
    """Render message ``key`` in ``lang`` ("zh" or "en") with ``params``.

    A missing parameter leaves its placeholder visible rather than failing: a report must
    never crash on its own wording.
    """
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry["en"]
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template.format_map(_Lenient(params))


class _Lenient(dict):
    def __init__(self, params: Mapping[str, object]) -> None:
        super().__init__(params)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
