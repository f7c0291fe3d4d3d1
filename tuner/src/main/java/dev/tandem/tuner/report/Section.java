package dev.tandem.tuner.report;

import java.util.List;
import java.util.Map;

/**
 * One chart of the report: its ECharts option, the table of its numbers and what it shows.
 *
 * @param id the chart's element id ({@code chart-<id>})
 * @param notes warnings where the data cannot support a number
 */
record Section(String id, String title, String description, Map<String, Object> option, Table table,
    List<String> notes) {}
