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
        "zh": "文件“{file}”中找不到“销售阶段”列。识别到的列：{headers}。请用映射指定，例如 --map \"你的列名=stage\"。",
        "en": "No stage column was found in “{file}”. Columns seen: {headers}. Map one, e.g. --map \"Your header=stage\".",
    },
    "no_id_column": {
        "zh": "文件“{file}”中找不到商机编号列，也没有可代替的商机名称列。请用映射指定，例如 --map \"你的列名=opportunity_id\"。",
        "en": "“{file}” has no opportunity id column, and no name column to fall back on. Map one, e.g. --map \"Your header=opportunity_id\".",
    },
    "bad_mapping": {
        "zh": "映射“{item}”无效：{detail}",
        "en": "The mapping “{item}” is not valid: {detail}",
    },
    "no_snapshot_date": {
        "zh": "无法确定快照日期：表中没有快照日期列，文件名“{file}”中也没有年月（如 2024-03、202403、2024年3月）。请指定 --as-of 日期。",
        "en": "The snapshot date is unknown: no snapshot-date column, and no month in the file name “{file}” (like 2024-03, 202403, 2024年3月). Give it with --as-of.",
    },
    # --- row findings: errors (row rejected) ----------------------------------------------
    "missing_id": {"zh": "商机编号为空。", "en": "The opportunity id is blank."},
    "missing_stage": {"zh": "销售阶段为空。", "en": "The stage is blank."},
    "unknown_stage": {
        "zh": "阶段“{value}”不属于阶段模型“{model}”。{hint}",
        "en": "Stage “{value}” is not in the stage model “{model}”. {hint}",
    },
    "unknown_stage_hint": {"zh": "是否是“{suggestion}”？", "en": "Did you mean “{suggestion}”?"},
    "unparseable_amount": {"zh": "金额“{value}”无法识别为数字。", "en": "The amount “{value}” is not a number."},
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
    "unknown_grade": {
        "zh": "客户等级“{value}”不是 A–D，按空值处理。",
        "en": "The customer grade “{value}” is not A–D; it is treated as blank.",
    },
    "unknown_status": {
        "zh": "状态“{value}”无法识别，按阶段推断。",
        "en": "The status “{value}” is not recognised; it is inferred from the stage.",
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
    "cli_summary": {"zh": "读取 {read} 行，有效 {valid} 行，拒绝 {rejected} 行；警告 {warnings} 条",
                    "en": "{read} rows read, {valid} valid, {rejected} rejected; {warnings} warnings"},
    "cli_plan_needs_average": {
        "zh": "请给出 --average-deal（平均合同金额或台数），或用 --from-data 从数据中测算。",
        "en": "Give --average-deal (average amount or units per contract), or --from-data to measure it.",
    },
    "cli_plan_files_need_from_data": {
        "zh": "给出文件时请加 --from-data（从文件测算平均合同额、赢单率与周期）。",
        "en": "Files are only read with --from-data (to measure the average deal, win rates and timing).",
    },
    "plan_not_positive": {"zh": "{name} 必须是正数（收到 {value}）。", "en": "{name} must be a positive number (got {value})."},
    "plan_bad_months": {"zh": "月数必须是正整数（收到 {value}）。", "en": "Months must be a positive whole number (got {value})."},
    "plan_bad_by": {"zh": "目标口径必须是 amount 或 units（收到 {by}）。", "en": "The target is by amount or units (got {by})."},
    "plan_no_probabilities": {"zh": "没有可用的阶段赢单概率。", "en": "No stage win probabilities to plan with."},
    "plan_bad_probability": {
        "zh": "阶段 {stage} 的赢单概率 {value} 必须大于 0 且不超过 1。",
        "en": "The win probability of stage {stage} must be above 0 and at most 1 (got {value}).",
    },
    "cli_plan_title": {"zh": "平衡漏斗（{model}）：目标 {target}（{by}），{months} 个月",
                       "en": "Balanced funnel ({model}): target {target} by {by} over {months} months"},
    "plan_by_amount": {"zh": "按金额", "en": "amount"},
    "plan_by_units": {"zh": "按台数", "en": "units"},
    "cli_plan_contracts": {"zh": "需要签约 {contracts} 单（平均每单 {average}）",
                           "en": "contracts needed: {contracts} (average deal {average})"},
    "cli_plan_probabilities": {"zh": "赢单概率来源：{source}", "en": "win probabilities: {source}"},
    "prob_source_nominal": {"zh": "阶段模型的标称值", "en": "the stage model's nominal values"},
    "prob_source_calibrated": {"zh": "按历史数据校准（小样本向标称值收缩）",
                               "en": "calibrated from history (shrunk toward nominal on small samples)"},
    "prob_source_observed": {"zh": "历史实测值", "en": "observed in history"},
    "prob_source_given": {"zh": "命令行给定", "en": "given on the command line"},
    "cli_plan_stage": {"zh": "阶段", "en": "stage"},
    "cli_plan_per_year": {"zh": "每年", "en": "per year"},
    "cli_plan_per_month": {"zh": "每月", "en": "per month"},
    "cli_plan_intake": {"zh": "每月需新增商机 {need}，实际 {actual}", "en": "new deals needed per month: {need}; actual: {actual}"},
    "cli_plan_thin": {"zh": "过少：{stage} 每月实际进入 {actual}，需要 {need}",
                      "en": "too thin: {stage} gets {actual} deals a month, needs {need}"},
    "cli_plan_stuck": {"zh": "积压：{stage} 停留的商机偏多，而下一阶段每月只有 {actual}（需要 {need}）",
                       "en": "stuck: {stage} holds too many deals while the next stage gets {actual} a month (needs {need})"},
    "cli_model_date": {"zh": "阶段模型：{model}  快照日期：{date}", "en": "stage model: {model}  snapshot date: {date}"},
    "cli_mapping": {"zh": "列映射：", "en": "mapping:"},
    "cli_errors": {"zh": "错误（整行拒绝）：{n}", "en": "errors (row rejected): {n}"},
    "cli_warnings": {"zh": "警告（保留并标记）：{n}", "en": "warnings (row kept): {n}"},
    "cli_row": {"zh": "第 {row} 行", "en": "row {row}"},
    "cli_more": {"zh": "…… 另有 {n} 条", "en": "… and {n} more"},
    "cli_imported": {"zh": "已导入快照 #{id}：{file}（{date}），有效 {valid} 行，拒绝 {rejected} 行",
                     "en": "imported snapshot #{id}: {file} ({date}), {valid} valid rows, {rejected} rejected"},
    "cli_same_content": {"zh": "文件内容与快照 #{id} 相同，未重复导入：{file}",
                         "en": "same content as snapshot #{id}, not imported again: {file}"},
    "cli_no_snapshots": {"zh": "快照库 {store} 中还没有快照", "en": "no snapshots in {store}"},
    "cli_no_such_snapshot": {"zh": "快照库 {store} 中没有快照 #{id}", "en": "no snapshot #{id} in {store}"},
    "cli_removed": {"zh": "已从 {store} 删除快照 #{id}", "en": "removed snapshot #{id} from {store}"},
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
    "filter_team": {"zh": "团队", "en": "Team"},
    "filter_owner": {"zh": "负责人", "en": "Owner"},
    "filter_source": {"zh": "商机来源", "en": "Source"},
    "filter_grade": {"zh": "客户等级", "en": "Customer grade"},
    "filter_dates": {"zh": "快照日期范围", "en": "Snapshot date range"},
    "filter_all": {"zh": "全部", "en": "All"},
    "filters_active": {"zh": "已应用筛选：{what}", "en": "Filtered: {what}"},
    "no_data_title": {"zh": "还没有数据", "en": "No data yet"},
    "no_data_sample": {"zh": "示例数据无法读取：{error}", "en": "The sample data could not be read: {error}"},
    "no_data_store": {
        "zh": "快照库中还没有快照。请到“数据导入”页上传月度导出并点击“保存为快照”，或在左侧切换到示例数据。",
        "en": "The snapshot store is empty. Upload a monthly export on the Data page and press “Save as snapshot”, or switch to the sample data on the left.",
    },
    "no_data_upload": {
        "zh": "本次会话还没有上传文件。请到“数据导入”页拖入 Excel 或 CSV 导出文件。",
        "en": "Nothing uploaded in this session yet. Drop an Excel or CSV export on the Data page.",
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
        "zh": "在 {start} 之后、{end} 及之前的快照中首次变为“赢单”的商机数与金额。",
        "en": "Deals that first show as won in a snapshot after {start} and up to {end}, and their amount.",
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
    "kpi_amount_delta": {"zh": "金额 {amount}", "en": "amount {amount}"},
    "chart_funnel": {"zh": "各阶段商机（按阶段模型顺序）", "en": "Deals per stage (in stage-model order)"},
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
    "chart_by_owner": {"zh": "各负责人进行中金额（按阶段）", "en": "Open pipeline by owner and stage"},
    "chart_by_source": {"zh": "按商机来源", "en": "By opportunity source"},
    "chart_by_grade": {"zh": "按客户等级", "en": "By customer grade"},
    "chart_trend": {"zh": "各月进行中商机趋势", "en": "Open pipeline month by month"},
    "chart_breakdown_hover": {
        "zh": "%{{y}} · %{{fullData.name}}<br>{measure}：%{{x:,.1f}}{unit}<br>进行中商机，截至所选快照<extra></extra>",
        "en": "%{{y}} · %{{fullData.name}}<br>{measure}: %{{x:,.1f}}{unit}<br>Open deals at the selected snapshot<extra></extra>",
    },
    "chart_trend_hover": {
        "zh": "%{{x|%Y-%m}} · %{{fullData.name}}<br>{measure}：%{{y:,.1f}}{unit}<br>该快照中状态为进行中的商机<extra></extra>",
        "en": "%{{x|%b %Y}} · %{{fullData.name}}<br>{measure}: %{{y:,.1f}}{unit}<br>Deals open in that snapshot<extra></extra>",
    },
    "axis_amount": {"zh": "金额（万元）", "en": "Amount (thousands)"},
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
    "unknown_stage_choice": {"zh": "“{value}”（{count} 行，如第 {rows} 行）", "en": "“{value}” ({count} rows, e.g. rows {rows})"},
    "unknown_keep": {"zh": "保持拒绝", "en": "Keep rejected"},
    "outcome_lost": {"zh": "输单", "en": "Lost"},
    "outcome_on_hold": {"zh": "搁置", "en": "On hold"},
    "as_of_needed": {
        "zh": "文件名中没有年月，请指定这份导出的快照日期：",
        "en": "The file name carries no month: give this export's snapshot date:",
    },
    "errors_title": {"zh": "错误（整行未导入）：{n}", "en": "Errors (rows rejected): {n}"},
    "warnings_title": {"zh": "警告（已导入并标记）：{n}", "en": "Warnings (rows kept, flagged): {n}"},
    "no_findings": {"zh": "所有行均有效，没有警告。", "en": "Every row is valid, with no warnings."},
    "download_rejected": {"zh": "下载被拒绝的行（xlsx）", "en": "Download rejected rows (xlsx)"},
    "save_snapshot": {"zh": "保存为快照", "en": "Save as snapshot"},
    "save_help": {
        "zh": "把有效行保存到快照库（{store}）。同样内容的文件只会保存一次。",
        "en": "Keep the valid rows in the snapshot store ({store}). The same file content is stored once.",
    },
    "saved": {"zh": "已保存为快照 #{id}。", "en": "Saved as snapshot #{id}."},
    "already_saved": {"zh": "同样内容已是快照 #{id}，未重复保存。", "en": "The same content is already snapshot #{id}; not saved again."},
    "stored_title": {"zh": "快照库中的快照", "en": "Snapshots in the store"},
    "stored_empty": {"zh": "快照库中还没有快照。", "en": "No snapshots stored yet."},
    "remove_choose": {"zh": "选择要删除的快照", "en": "Snapshot to remove"},
    "remove_button": {"zh": "删除快照", "en": "Remove snapshot"},
    "remove_confirm": {"zh": "确认删除快照 #{id}（{file}）？此操作无法撤销。", "en": "Remove snapshot #{id} ({file})? This cannot be undone."},
    "remove_yes": {"zh": "确认删除", "en": "Yes, remove it"},
    "removed": {"zh": "已删除快照 #{id}。", "en": "Removed snapshot #{id}."},
    "col_id": {"zh": "编号", "en": "ID"},
    "col_snapshot_date": {"zh": "快照日期", "en": "Snapshot date"},
    "col_file_name": {"zh": "文件", "en": "File"},
    "col_shape": {"zh": "形态", "en": "Shape"},
    "col_stage_model": {"zh": "阶段模型", "en": "Stage model"},
    "col_rows_read": {"zh": "读取行数", "en": "Rows read"},
    "col_rows_valid": {"zh": "有效行数", "en": "Valid"},
    "col_rows_rejected": {"zh": "拒绝行数", "en": "Rejected"},
    "col_warnings": {"zh": "警告", "en": "Warnings"},
    "col_imported_at": {"zh": "导入时间", "en": "Imported at"},
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
    "outcome_lost": {"zh": "输单", "en": "Lost"},
    "outcome_on_hold": {"zh": "搁置", "en": "On hold"},
    "conversion_title": {"zh": "阶段转化", "en": "Stage conversion"},
    "conversion_caption": {
        "zh": "到达某阶段 = 该商机到过的最远阶段不低于此阶段（回退不影响）。{resolution}截至 {as_of}，共 {deals} 个商机；{unknown} 个输单商机只知“输单”，不计入任何阶段。",
        "en": "Reached a stage = the deal's furthest stage is this one or beyond (a later regression does not undo it). {resolution}As of {as_of}, {deals} deals; {unknown} lost deals are known only as lost and count in no stage.",
    },
    "resolution_snapshot": {"zh": "基于月度快照：变动时间精确到两次导出之间。", "en": "From monthly snapshots: a move is known to within one export interval. "},
    "resolution_event": {"zh": "基于阶段变更日志。", "en": "From a stage-history log. "},
    "chart_conversion": {"zh": "到达各阶段的商机数与向下一阶段的转化", "en": "Deals that reached each stage, and conversion to the next"},
    "chart_conversion_hover": {
        "zh": "%{{y}}：到达 %{{x}} 个<br>转入下一阶段：%{{customdata[0]}}（95% 区间 %{{customdata[1]}}–%{{customdata[2]}}；分母含仍在进行的商机）<br>到达后赢单率：%{{customdata[3]}}（%{{customdata[4]}}–%{{customdata[5]}}；分母为已结束的 %{{customdata[6]}} 个）<br>%{{customdata[7]}}<extra></extra>",
        "en": "%{{y}}: %{{x}} reached<br>On to the next stage: %{{customdata[0]}} (95% %{{customdata[1]}}–%{{customdata[2]}}; open deals in the denominator)<br>P(win | reached): %{{customdata[3]}} (%{{customdata[4]}}–%{{customdata[5]}}; of %{{customdata[6]}} closed deals)<br>%{{customdata[7]}}<extra></extra>",
    },
    "chart_transitions": {"zh": "阶段流转矩阵（行：从，列：到）", "en": "Moves between stages (rows: from, columns: to)"},
    "chart_transitions_hover": {"zh": "从 %{{y}} 到 %{{x}}：%{{z}} 次<extra></extra>", "en": "From %{{y}} to %{{x}}: %{{z}} moves<extra></extra>"},
    "axis_from": {"zh": "从", "en": "From"},
    "axis_to": {"zh": "到", "en": "To"},
    "chart_win_rate": {"zh": "本期结单的赢单率（95% 区间）", "en": "Win rate of deals closed this period (95% interval)"},
    "chart_win_rate_hover": {
        "zh": "%{{x}}：%{{y:.0%}}（赢 %{{customdata[0]}} / 结单 %{{customdata[1]}}）<extra></extra>",
        "en": "%{{x}}: %{{y:.0%}} (won %{{customdata[0]}} of %{{customdata[1]}} closed)<extra></extra>",
    },
    "win_rate_by": {"zh": "赢单率分组", "en": "Win rate by"},
    "group_all": {"zh": "全部", "en": "All"},
    "flow_title": {"zh": "本期各阶段进出", "en": "Flow through the stages this period"},
    "movement_title": {"zh": "商机变化", "en": "Pipeline changes"},
    "movement_from": {"zh": "起始快照", "en": "From snapshot"},
    "movement_to": {"zh": "结束快照", "en": "To snapshot"},
    "movement_needs_two": {"zh": "需要至少两个快照才能比较变化。", "en": "At least two snapshots are needed to compare."},
    "chart_waterfall": {"zh": "进行中商机的变化（起始 + 新增 + 转入 + 增加 − 减少 − 赢单 − 输单 − 转出 = 结束）",
                        "en": "Open pipeline change (start + new + moved in + up − down − won − lost − moved out = end)"},
    "chart_waterfall_hover": {"zh": "%{{x}}：%{{y:,.1f}}<extra></extra>", "en": "%{{x}}: %{{y:,.1f}}<extra></extra>"},
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
    "chart_survival_hover": {"zh": "%{{fullData.name}}：%{{x}} 天后仍有 %{{y:.0%}}<extra></extra>",
                             "en": "%{{fullData.name}}: %{{y:.0%}} still there after %{{x}} days<extra></extra>"},
    "axis_days": {"zh": "天数", "en": "Days"},
    "durations_title": {"zh": "中位数与 P75（95% 区间）", "en": "Median and P75 (95% interval)"},
    "stalled_title": {"zh": "停滞商机（超过阶段上限，或无上限时超过该阶段 P80）", "en": "Stalled deals (past the stage's limit, or its P80 where it has none)"},
    "stalled_by_owner": {"zh": "按负责人", "en": "By owner"},
    "chart_buckets": {"zh": "进行中商机的阶段停留天数分布", "en": "Open deals by days in their stage"},
    "chart_buckets_hover": {"zh": "%{{x}} · %{{fullData.name}}：%{{y}} 个<extra></extra>", "en": "%{{x}} · %{{fullData.name}}: %{{y}} deals<extra></extra>"},
    "bucket_days": {"zh": "{days} 天", "en": "{days} days"},
    "check_title": {"zh": "阶段是否属实", "en": "Is the stage real?"},
    "check_caption": {
        "zh": "规则：该阶段的里程碑全部完成才算进入该阶段，缺一项即退回上一阶段。空白视为未完成。",
        "en": "Rule: a deal is in a stage only when all its milestones are done; one missing and it is still in the previous stage. Blank counts as not done.",
    },
    "check_none": {"zh": "这份数据没有里程碑检查列，无法核查阶段。", "en": "This data has no milestone checklist columns, so stages cannot be checked."},
    "chart_check": {"zh": "漏斗：汇报阶段与里程碑支持的阶段", "en": "The funnel as reported and as the checklist supports"},
    "chart_check_hover": {"zh": "%{{x}} · %{{fullData.name}}：%{{y}} 个<extra></extra>", "en": "%{{x}} · %{{fullData.name}}: %{{y}} deals<extra></extra>"},
    "reported": {"zh": "汇报阶段", "en": "Reported"},
    "effective": {"zh": "里程碑支持的阶段", "en": "Backed by milestones"},
    "inflated_title": {"zh": "汇报阶段超前的商机", "en": "Deals reported ahead of their milestones"},
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

REPORT_SHEETS: dict[str, dict[str, str]] = {
    "sheet_funnel": {"zh": "漏斗", "en": "Funnel"},
    "sheet_conversion": {"zh": "阶段转化", "en": "Conversion"},
    "sheet_win_rate": {"zh": "赢单率", "en": "Win rate"},
    "sheet_transitions": {"zh": "流转矩阵", "en": "Transitions"},
    "sheet_regressions": {"zh": "回退商机", "en": "Regressions"},
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

COLUMN_LABELS: dict[str, dict[str, str]] = {
    "col_stage": {"zh": "阶段", "en": "Stage"},
    "col_n": {"zh": "停留次数", "en": "Stays"},
    "col_censored": {"zh": "仍在进行", "en": "Still under way"},
    "col_median_days": {"zh": "中位数（天）", "en": "Median (days)"},
    "col_median_low": {"zh": "中位数下限", "en": "Median low"},
    "col_median_high": {"zh": "中位数上限", "en": "Median high"},
    "col_p75_days": {"zh": "P75（天）", "en": "P75 (days)"},
    "col_p75_low": {"zh": "P75 下限", "en": "P75 low"},
    "col_p75_high": {"zh": "P75 上限", "en": "P75 high"},
    "col_opportunity_id": {"zh": "商机编号", "en": "Opportunity"},
    "col_owner": {"zh": "负责人", "en": "Owner"},
    "col_entered": {"zh": "进入", "en": "Entered"},
    "col_days_in_stage": {"zh": "本阶段天数", "en": "Days in stage"},
    "col_limit_days": {"zh": "上限（天）", "en": "Limit (days)"},
    "col_limit_source": {"zh": "上限来源", "en": "Limit from"},
    "col_date": {"zh": "日期", "en": "Date"},
    "col_from_stage": {"zh": "从", "en": "From"},
    "col_to_stage": {"zh": "到", "en": "To"},
    "col_pushes": {"zh": "推迟次数", "en": "Pushes"},
    "col_days_slipped": {"zh": "推迟天数", "en": "Days slipped"},
    "col_first_expected": {"zh": "最初预计", "en": "First expected"},
    "col_latest_expected": {"zh": "最新预计", "en": "Latest expected"},
    "col_step": {"zh": "变化", "en": "Change"},
    "col_amount_start": {"zh": "起始金额", "en": "Amount at start"},
    "col_amount_end": {"zh": "结束金额", "en": "Amount at end"},
    "col_reported_stage": {"zh": "汇报阶段", "en": "Reported stage"},
    "col_effective_stage": {"zh": "里程碑支持的阶段", "en": "Stage backed by milestones"},
    "col_inflated": {"zh": "超前", "en": "Ahead"},
    "col_missing": {"zh": "缺少的里程碑", "en": "Missing milestones"},
    "col_deals": {"zh": "商机数", "en": "Deals"},
    "col_share": {"zh": "占比", "en": "Share"},
    "col_exited_forward": {"zh": "前进离开", "en": "Left forward"},
    "col_exited_backward": {"zh": "回退离开", "en": "Left backward"},
    "col_lost": {"zh": "输单", "en": "Lost"},
    "col_still_there": {"zh": "仍在此阶段", "en": "Still there"},
    "col_reached_count": {"zh": "到达数", "en": "Reached"},
    "col_to_next_count": {"zh": "进入下一阶段", "en": "On to next"},
    "col_to_next_rate": {"zh": "转化率", "en": "Conversion"},
    "col_to_next_rate_low": {"zh": "转化率下限", "en": "Conversion low"},
    "col_to_next_rate_high": {"zh": "转化率上限", "en": "Conversion high"},
    "col_closed_count": {"zh": "已结束", "en": "Closed"},
    "col_won_count": {"zh": "赢单", "en": "Won"},
    "col_win_rate": {"zh": "赢单率", "en": "Win rate"},
    "col_win_rate_low": {"zh": "赢单率下限", "en": "Win rate low"},
    "col_win_rate_high": {"zh": "赢单率上限", "en": "Win rate high"},
    "col_too_few": {"zh": "样本太少", "en": "Too few"},
    "col_age_days": {"zh": "商机年龄（天）", "en": "Age (days)"},
    "col_pushes_to_later_quarter": {"zh": "推迟到下季度次数", "en": "Pushes to a later quarter"},
    "col_changes": {"zh": "变动次数", "en": "Changes"},
    "col_first_amount": {"zh": "最初金额", "en": "First amount"},
    "col_latest_amount": {"zh": "最新金额", "en": "Latest amount"},
    "col_net_change": {"zh": "净变化", "en": "Net change"},
    "col_win_probability": {"zh": "赢单概率", "en": "P(win)"},
    "col_per_year": {"zh": "每年需要", "en": "Needed per year"},
    "col_per_month": {"zh": "每月需要", "en": "Needed per month"},
    "col_months_to_win": {"zh": "到赢单（月）", "en": "Months to win"},
    "col_lead_months": {"zh": "提前（月）", "en": "Lead (months)"},
    "col_required_per_month": {"zh": "每月需要", "en": "Needed per month"},
    "col_actual_per_month": {"zh": "每月实际", "en": "Actual per month"},
    "col_flow_ratio": {"zh": "实际/需要", "en": "Actual ÷ needed"},
    "col_open_count": {"zh": "在手商机", "en": "Open deals"},
    "col_open_amount": {"zh": "在手金额", "en": "Open amount"},
    "col_required_open": {"zh": "应有在手", "en": "Open deals implied"},
    "col_stock_ratio": {"zh": "在手/应有", "en": "Open ÷ implied"},
    "col_status": {"zh": "状态", "en": "Status"},
    "col_period": {"zh": "期间", "en": "Period"},
    "col_count": {"zh": "商机数", "en": "Deals"},
    "col_amount": {"zh": "金额", "en": "Amount"},
    "col_weighted": {"zh": "加权金额", "en": "Weighted"},
    "col_p10": {"zh": "P10", "en": "P10"},
    "col_p50": {"zh": "P50", "en": "P50"},
    "col_p90": {"zh": "P90", "en": "P90"},
    "col_mean": {"zh": "模拟均值", "en": "Simulated mean"},
    "col_expected": {"zh": "期望值", "en": "Expected"},
    "col_probability": {"zh": "概率", "en": "Probability"},
    "col_expected_close_date": {"zh": "预计成交日期", "en": "Expected close"},
    "col_bucket": {"zh": "成交月份", "en": "Close month"},
    "col_quarter": {"zh": "成交季度", "en": "Close quarter"},
    "col_snapshot_date": {"zh": "快照日期", "en": "Snapshot"},
    "col_period_end": {"zh": "期末", "en": "Period end"},
    "col_deals_due": {"zh": "预计到期商机", "en": "Deals due"},
    "col_forecast": {"zh": "预测（加权）", "en": "Forecast (weighted)"},
    "col_forecast_rep": {"zh": "预测（销售填报概率）", "en": "Forecast (reps' probability)"},
    "col_actual": {"zh": "实际赢单", "en": "Actual won"},
    "col_error": {"zh": "误差", "en": "Error"},
    "col_ratio": {"zh": "预测/实际", "en": "Forecast ÷ actual"},
    "col_nominal": {"zh": "标称概率", "en": "Nominal"},
    "col_observed": {"zh": "实测", "en": "Observed"},
    "col_observed_low": {"zh": "实测下限", "en": "Observed low"},
    "col_observed_high": {"zh": "实测上限", "en": "Observed high"},
    "col_calibrated": {"zh": "校准后", "en": "Calibrated"},
    "col_calibrated_low": {"zh": "校准下限", "en": "Calibrated low"},
    "col_calibrated_high": {"zh": "校准上限", "en": "Calibrated high"},
    "col_data_weight": {"zh": "数据权重", "en": "Weight of data"},
    "col_team": {"zh": "团队", "en": "Team"},
    "col_advancements": {"zh": "阶段推进", "en": "Advancements"},
    "col_regressions": {"zh": "回退", "en": "Regressions"},
    "col_won_amount": {"zh": "赢单金额", "en": "Won amount"},
    "col_stalled": {"zh": "停滞商机", "en": "Stalled"},
    "col_balance": {"zh": "漏斗平衡度", "en": "Funnel balance"},
    "col_scenario": {"zh": "情景", "en": "Scenario"},
    "col_deals_lever": {"zh": "商机数量倍数", "en": "Deals ×"},
    "col_cycle": {"zh": "周期倍数", "en": "Cycle ×"},
    "col_deal_size": {"zh": "单笔金额倍数", "en": "Deal size ×"},
    "col_contracts_needed": {"zh": "需签约数", "en": "Contracts needed"},
    "col_intake_needed_per_month": {"zh": "每月需新增", "en": "New deals needed / month"},
    "col_intake_per_month": {"zh": "每月实际新增", "en": "New deals / month"},
    "col_expected_year": {"zh": "全期期望", "en": "Expected (period)"},
    "col_p10_year": {"zh": "全期 P10", "en": "P10 (period)"},
    "col_p50_year": {"zh": "全期 P50", "en": "P50 (period)"},
    "col_p90_year": {"zh": "全期 P90", "en": "P90 (period)"},
    "col_p_hit_target": {"zh": "达成目标概率", "en": "P(reach target)"},
    "col_lever": {"zh": "杠杆", "en": "Lever"},
    "col_worse": {"zh": "变差 20%", "en": "20% worse"},
    "col_better": {"zh": "变好 20%", "en": "20% better"},
    "col_baseline": {"zh": "基准", "en": "Baseline"},
    "col_swing": {"zh": "摆幅", "en": "Swing"},
}
MESSAGES.update({k: v for k, v in COLUMN_LABELS.items() if k not in MESSAGES})
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
