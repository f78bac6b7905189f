package io.flowclash.report;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Runs one scenario the way {@code flowclash run} does and returns what {@code flowclash run --json} prints, parsed:
 * the report never holds a second copy of the run path.
 */
@FunctionalInterface
public interface ScenarioRunner
{
    /**
     * @param scenario the scenario.
     * @return the run's JSON document ({@code workload}, {@code race}, ..., {@code results: [per design]}).
     */
    JsonNode run(Scenario scenario);
}
