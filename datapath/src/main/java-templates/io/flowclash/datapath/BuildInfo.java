package io.flowclash.datapath;

/**
 * Build facts filled in from the parent POM at build time (templating-maven-plugin), so that the project version
 * and the JVM flags exist in one place only: the parent {@code pom.xml}.
 */
public final class BuildInfo
{
    /** The project version. */
    public static final String VERSION = "${project.version}";

    /**
     * JVM flags every JVM that runs flowclash code needs (Agrona 2.x needs {@code jdk.internal.misc} exported).
     * Space-separated, for tools that split (surefire, jcstress, child JVMs); JMH's {@code @Fork} takes one flag per
     * element, so benchmarks list {@link #JVM_AGRONA} and the {@code JVM_CHRONICLE_*} constants.
     */
    public static final String JVM_ARGS = "${flowclash.jvm.args}";

    /** Agrona 2.x: export jdk.internal.misc. JMH forks list the flags one per element: see {@link #JVM_ARGS}. */
    public static final String JVM_AGRONA = "${flowclash.jvm.agrona}";
    /** Chronicle Map flag 1 of 7. */
    public static final String JVM_CHRONICLE_1 = "${flowclash.jvm.chronicle1}";
    /** Chronicle Map flag 2 of 7. */
    public static final String JVM_CHRONICLE_2 = "${flowclash.jvm.chronicle2}";
    /** Chronicle Map flag 3 of 7. */
    public static final String JVM_CHRONICLE_3 = "${flowclash.jvm.chronicle3}";
    /** Chronicle Map flag 4 of 7. */
    public static final String JVM_CHRONICLE_4 = "${flowclash.jvm.chronicle4}";
    /** Chronicle Map flag 5 of 7. */
    public static final String JVM_CHRONICLE_5 = "${flowclash.jvm.chronicle5}";
    /** Chronicle analytics off. */
    public static final String JVM_CHRONICLE_6 = "${flowclash.jvm.chronicle6}";
    /** Chronicle announcer off. */
    public static final String JVM_CHRONICLE_7 = "${flowclash.jvm.chronicle7}";

    private BuildInfo()
    {
    }
}
