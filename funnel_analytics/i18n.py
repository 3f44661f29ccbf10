"""One translation table for every user-facing message, in Chinese and English.

Messages are looked up by key and formatted with named parameters. The library returns keys
and parameters (so a report can be re-rendered in the other language); :func:`t` renders.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["LANGUAGES", "MESSAGES", "t"]

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
