"""funnel-analytics dashboard: opens on the bundled sample workspace, no upload needed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from funnel_analytics.charts import funnel_figure
from funnel_analytics.funnel import funnel_counts, latest_snapshot
from funnel_analytics.workspace import load_workspace

st.set_page_config(page_title="销售漏斗 · funnel-analytics", layout="wide")


@st.cache_resource(show_spinner="正在读取示例数据 Loading the sample workspace…")
def sample_workspace():
    return load_workspace()


lang = st.sidebar.radio("语言 / Language", ["zh", "en"], format_func={"zh": "中文", "en": "English"}.get,
                        horizontal=True)
zh = lang == "zh"
ws = sample_workspace()
obs = ws.observations
dates = ws.snapshot_dates
as_of = st.sidebar.select_slider("快照" if zh else "Snapshot", options=dates, value=dates[-1],
                                 format_func=lambda d: pd.Timestamp(d).strftime("%Y-%m"))
snap = latest_snapshot(obs, as_of)
counts = funnel_counts(snap, ws.stage_model)
open_counts = counts.iloc[:-1]

st.title("销售漏斗概览" if zh else "Sales funnel overview")
st.caption("示例数据：华辰智能科技，12 个月度导出" if zh else
            "Sample data: 华辰智能科技, 12 monthly exports")
c1, c2, c3 = st.columns(3)
c1.metric("进行中商机" if zh else "Open deals", f"{int(open_counts['count'].sum()):,}")
c2.metric("进行中金额（万元）" if zh else "Open amount (k)",
          f"{open_counts['amount'].sum() / (1e4 if zh else 1e3):,.0f}")
c3.metric("加权金额（万元）" if zh else "Weighted pipeline (k)",
          f"{open_counts['weighted'].sum() / (1e4 if zh else 1e3):,.0f}",
          help=("各阶段进行中金额 × 阶段模型的名义赢单概率之和" if zh else
                "Sum over stages of open amount × the stage model's nominal probability"))
hover = ("%{y}：%{x} 个商机（状态为进行中；赢单阶段为本月赢单）<extra></extra>" if zh else
         "%{y}: %{x} deals (status open; the won stage counts deals won this month)<extra></extra>")
st.plotly_chart(funnel_figure(counts, ws.stage_model, lang,
                              title="各阶段商机数" if zh else "Deals per stage", hover=hover),
                width="stretch")
