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
     * JMH benchmarks pass this to their forks with {@code @Fork(jvmArgsAppend = BuildInfo.JVM_ARGS)}.
     */
    public static final String JVM_ARGS = "${flowclash.jvm.args}";

    private BuildInfo()
    {
    }
}
