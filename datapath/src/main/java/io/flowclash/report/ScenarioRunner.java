package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * Runs one scenario the way {@code flowclash run} does and returns what {@code flowclash run --json --hlog DIR}
 * gives: the report never holds a second copy of the run path.
 */
@FunctionalInterface
public interface ScenarioRunner
{
    /** What one run gave. @param json the printed JSON, parsed. @param hlogs design id -> its {@code .hlog}. */
    record Run(JsonNode json, Map<String, String> hlogs)
    {
    }

    /**
     * @param scenario the scenario.
     * @return the run's JSON document ({@code workload}, {@code race}, ..., {@code results: [per design]}) and its
     *     latency logs.
     */
    Run run(Scenario scenario);
}
