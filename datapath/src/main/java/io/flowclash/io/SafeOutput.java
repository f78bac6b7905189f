package io.flowclash.io;

import io.flowclash.datapath.FlowclashException;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Output the user named, and nothing else: every file or folder flowclash writes goes through here.
 *
 * <p>The contract:
 * <ul>
 *   <li><b>Only regular files or new paths in an existing directory.</b> An output file must be an existing
 *   regular file (a symbolic link to one is followed, and the file it names is replaced) or a new name in a
 *   directory that exists. A directory, a device ({@code /dev/full}), a FIFO, a socket, a link to any of those,
 *   an empty path or a missing parent directory is refused before anything is created. Parent directories are
 *   never created.</li>
 *   <li><b>Nothing half-written.</b> Content goes to a temporary file in the target's own directory
 *   ({@code .NAME.NNNN.flowclash-tmp}), is forced to disk and renamed over the target in one atomic
 *   {@code rename(2)}: the target is either the old content or the whole new one.</li>
 *   <li><b>No leftovers.</b> The temporary file is removed on every error path, and a JVM shutdown hook removes
 *   every temporary file or folder still registered when the process ends on SIGINT or SIGTERM (or
 *   {@code System.exit}). SIGKILL cannot be caught; the names end in {@code .flowclash-tmp}, which
 *   {@code .gitignore} matches.</li>
 *   <li><b>One line that says what and why.</b> Every refusal and failure is a {@link FlowclashException}
 *   (the command prints it as one line and exits 2) naming the path and the operating system's reason
 *   ("No such file or directory", "Permission denied", ...).</li>
 * </ul>
 *
 * <p>Folders: {@link #writeDirectory} builds a folder (a report, a set of {@code .hlog} files) in a temporary
 * folder beside the target and renames it into place; into an existing folder it renames each finished file
 * in. {@link #ensureDirectory} is for a folder used in place (the pin directory of pinned BPF maps): an existing
 * directory, or a new one made with one {@code mkdir} in an existing parent.
 *
 * <p>Thread safety: all methods may be called from any thread. The registry of temporary paths is guarded by
 * its own monitor; once the shutdown hook has started, no new temporary path can be created (the call fails
 * with "shutting down"), so the hook never misses one.
 */
public final class SafeOutput
{
    /** Suffix of every temporary file and folder; {@code .gitignore} matches it. */
    public static final String TEMP_SUFFIX = ".flowclash-tmp";

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFIFO = 0010000;

    private static final Object LOCK = new Object();
    /** Guarded by {@link #LOCK}. */
    private static final Set<Path> TEMPS = new LinkedHashSet<>();
    /** Guarded by {@link #LOCK}. */
    private static boolean shuttingDown;

    static
    {
        Runtime.getRuntime().addShutdownHook(new Thread(SafeOutput::removeAllTemps, "flowclash-temp-cleanup"));
    }

    private SafeOutput()
    {
    }

    /** Writes a file's content to an open channel positioned at 0. */
    @FunctionalInterface
    public interface ChannelWriter
    {
        /**
         * @param channel the temporary file, open for writing.
         * @throws IOException when writing fails; the temporary file is removed.
         */
        void write(FileChannel channel) throws IOException;
    }

    /** Writes a file's content to a stream. */
    @FunctionalInterface
    public interface StreamWriter
    {
        /**
         * @param out the temporary file's stream (buffered; do not close it).
         * @throws IOException when writing fails; the temporary file is removed.
         */
        void write(OutputStream out) throws IOException;
    }

    /** Fills a folder. */
    @FunctionalInterface
    public interface DirectoryWriter
    {
        /**
         * @param dir an empty temporary folder beside the target; write plain files into it.
         * @throws IOException when writing fails; the temporary folder is removed.
         */
        void write(Path dir) throws IOException;
    }

    /**
     * Check that a path may be written as an output file, without creating anything.
     *
     * @param target the path the user gave.
     * @param what   what it is, for the message, e.g. {@code "stream file"} or {@code "--hlog file"}.
     * @return the absolute path to replace: the target itself, or the regular file a symbolic link names.
     * @throws FlowclashException when it is not a regular file or a new name in an existing directory.
     */
    public static Path checkFile(final Path target, final String what)
    {
        final String shown = shown(target);
        if (target == null || target.toString().isEmpty())
        {
            throw new FlowclashException("cannot write " + what + " '': empty path, expected a file name");
        }
        final Path absolute = target.toAbsolutePath().normalize();
        final BasicFileAttributes own = attributes(absolute, false);
        if (own != null)
        {
            Path file = absolute;
            if (own.isSymbolicLink())
            {
                final BasicFileAttributes followed = attributes(absolute, true);
                if (followed == null)
                {
                    throw new FlowclashException("cannot write " + what + " '" + shown +
                        "': it is a symbolic link to a missing file; refusing to follow it");
                }
                if (!followed.isRegularFile())
                {
                    throw new FlowclashException("cannot write " + what + " '" + shown +
                        "': it is a symbolic link to " + kind(absolute, true) + ", not a regular file");
                }
                file = realPath(absolute, what, shown);
            }
            else if (!own.isRegularFile())
            {
                throw new FlowclashException("cannot write " + what + " '" + shown + "': it is " +
                    kind(absolute, false) + ", not a regular file");
            }
            checkParent(file, what, shown);
            return file;
        }
        checkParent(absolute, what, shown);
        return absolute;
    }

    /**
     * Write a file atomically through a channel: temporary file, force, rename.
     *
     * @param target the path the user gave.
     * @param what   what it is, for messages.
     * @param writer writes the content.
     * @return the absolute path written.
     */
    public static Path writeFile(final Path target, final String what, final ChannelWriter writer)
    {
        final Path file = checkFile(target, what);
        final String shown = shown(target);
        final Path tmp = createTemp(file, what, shown, false);
        try
        {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE))
            {
                writer.write(channel);
                channel.force(true);
            }
            catch (final IOException ex)
            {
                throw new FlowclashException("cannot write " + what + " '" + shown + "': " + cause(ex), ex);
            }
            rename(tmp, file, what, shown);
            return file;
        }
        finally
        {
            removeTemp(tmp);
        }
    }

    /**
     * Write a file atomically through a stream.
     *
     * @param target the path the user gave.
     * @param what   what it is, for messages.
     * @param writer writes the content.
     * @return the absolute path written.
     */
    public static Path writeStream(final Path target, final String what, final StreamWriter writer)
    {
        return writeFile(target, what, channel ->
        {
            final OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            writer.write(out);
            out.flush();
        });
    }

    /**
     * Write a text file (UTF-8) atomically.
     *
     * @param target  the path the user gave.
     * @param what    what it is, for messages.
     * @param content the text.
     * @return the absolute path written.
     */
    public static Path writeString(final Path target, final String what, final String content)
    {
        return writeStream(target, what, out -> out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /**
     * Check that a path may be used as an output folder, without creating anything: an existing directory
     * (or a symbolic link to one), or a new name in an existing directory.
     *
     * @param target the path the user gave.
     * @param what   what it is, for messages, e.g. {@code "pin directory"}.
     * @return the absolute path of the folder (it may not exist yet).
     */
    public static Path checkDirectory(final Path target, final String what)
    {
        final String shown = shown(target);
        if (target == null || target.toString().isEmpty())
        {
            throw new FlowclashException("cannot use " + what + " '': empty path, expected a directory name");
        }
        final Path absolute = target.toAbsolutePath().normalize();
        final BasicFileAttributes own = attributes(absolute, false);
        if (own == null)
        {
            checkParent(absolute, what, shown);
            return absolute;
        }
        final BasicFileAttributes followed = own.isSymbolicLink() ? attributes(absolute, true) : own;
        if (followed == null)
        {
            throw new FlowclashException("cannot use " + what + " '" + shown +
                "': it is a symbolic link to a missing directory");
        }
        if (!followed.isDirectory())
        {
            throw new FlowclashException("cannot use " + what + " '" + shown + "': it is " +
                (own.isSymbolicLink() ? "a symbolic link to " : "") + kind(absolute, true) + ", not a directory");
        }
        if (!Files.isWritable(absolute))
        {
            throw new FlowclashException("cannot use " + what + " '" + shown + "': Permission denied (not writable)");
        }
        return absolute;
    }

    /**
     * A folder used in place: check it, and make it with one {@code mkdir} when it is a new name in an existing
     * directory (parents are never created).
     *
     * @param target the path the user gave.
     * @param what   what it is, for messages.
     * @return the absolute path of the folder, which exists.
     */
    public static Path ensureDirectory(final Path target, final String what)
    {
        final Path dir = checkDirectory(target, what);
        if (attributes(dir, true) == null)
        {
            try
            {
                Files.createDirectory(dir);
            }
            catch (final FileAlreadyExistsException ex)
            {
                return checkDirectory(target, what);
            }
            catch (final IOException ex)
            {
                throw new FlowclashException("cannot create " + what + " '" + shown(target) + "': " + cause(ex), ex);
            }
        }
        return dir;
    }

    /**
     * Write a folder: fill a temporary folder beside the target, then rename it into place (a new or empty
     * target), or rename each finished file into the existing folder (replacing files of the same name, leaving
     * the others).
     *
     * @param target the path the user gave.
     * @param what   what it is, for messages, e.g. {@code "report directory"}.
     * @param writer fills the temporary folder.
     * @return the absolute path of the folder.
     */
    public static Path writeDirectory(final Path target, final String what, final DirectoryWriter writer)
    {
        final Path dir = checkDirectory(target, what);
        final String shown = shown(target);
        final Path real = attributes(dir, false) != null ? realPath(dir, what, shown) : dir;
        final Path tmp = createTemp(real, what, shown, true);
        try
        {
            try
            {
                writer.write(tmp);
            }
            catch (final IOException ex)
            {
                throw new FlowclashException("cannot write " + what + " '" + shown + "': " + cause(ex), ex);
            }
            if (attributes(real, false) == null || isEmptyDirectory(real))
            {
                rename(tmp, real, what, shown);
            }
            else
            {
                moveInto(tmp, real, what, shown);
            }
            return real;
        }
        finally
        {
            removeTemp(tmp);
        }
    }

    /**
     * The operating system's reason for a failed file operation, as {@code strerror} says it.
     *
     * @param ex the failure.
     * @return e.g. "No such file or directory".
     */
    public static String cause(final IOException ex)
    {
        if (ex instanceof NoSuchFileException)
        {
            return "No such file or directory";
        }
        if (ex instanceof AccessDeniedException)
        {
            return "Permission denied";
        }
        if (ex instanceof FileAlreadyExistsException)
        {
            return "File exists";
        }
        if (ex instanceof NotDirectoryException)
        {
            return "Not a directory";
        }
        if (ex instanceof DirectoryNotEmptyException)
        {
            return "Directory not empty";
        }
        if (ex instanceof FileSystemLoopException)
        {
            return "Too many levels of symbolic links";
        }
        if (ex instanceof NotLinkException)
        {
            return "Not a symbolic link";
        }
        if (ex instanceof AtomicMoveNotSupportedException)
        {
            return "Invalid cross-device link (cannot rename atomically)";
        }
        if (ex instanceof FileSystemException && ((FileSystemException)ex).getReason() != null)
        {
            return ((FileSystemException)ex).getReason();
        }
        final String message = ex.getMessage();
        return message == null || message.isEmpty() ? ex.getClass().getSimpleName() : message;
    }

    /** @return how many temporary paths are registered now (tests check that none is left). */
    static int registeredTemps()
    {
        synchronized (LOCK)
        {
            return TEMPS.size();
        }
    }

    private static void checkParent(final Path file, final String what, final String shown)
    {
        final Path parent = file.getParent();
        if (parent == null)
        {
            throw new FlowclashException("cannot write " + what + " '" + shown + "': it is the root directory");
        }
        final BasicFileAttributes attrs = attributes(parent, true);
        if (attrs == null)
        {
            throw new FlowclashException("cannot write " + what + " '" + shown + "': directory '" + parent +
                "' does not exist (No such file or directory); flowclash does not create parent directories");
        }
        if (!attrs.isDirectory())
        {
            throw new FlowclashException("cannot write " + what + " '" + shown + "': '" + parent + "' is " +
                kind(parent, true) + ", not a directory (Not a directory)");
        }
    }

    private static Path createTemp(final Path beside, final String what, final String shown, final boolean directory)
    {
        final Path parent = beside.getParent();
        final String base = "." + beside.getFileName() + ".";
        for (int attempt = 0; ; attempt++)
        {
            final Path tmp = parent.resolve(base + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16) +
                TEMP_SUFFIX);
            synchronized (LOCK)
            {
                if (shuttingDown)
                {
                    throw new FlowclashException("cannot write " + what + " '" + shown + "': shutting down");
                }
                try
                {
                    if (directory)
                    {
                        Files.createDirectory(tmp);
                    }
                    else
                    {
                        Files.createFile(tmp);
                    }
                    TEMPS.add(tmp);
                    return tmp;
                }
                catch (final FileAlreadyExistsException ex)
                {
                    if (attempt > 8)
                    {
                        throw new FlowclashException("cannot write " + what + " '" + shown +
                            "': cannot create a temporary " + (directory ? "folder" : "file") + " in '" + parent +
                            "': " + cause(ex), ex);
                    }
                }
                catch (final IOException ex)
                {
                    throw new FlowclashException("cannot write " + what + " '" + shown +
                        "': cannot create a temporary " + (directory ? "folder" : "file") + " in '" + parent +
                        "': " + cause(ex), ex);
                }
            }
        }
    }

    private static void rename(final Path tmp, final Path target, final String what, final String shown)
    {
        try
        {
            if (!Files.isDirectory(tmp, LinkOption.NOFOLLOW_LINKS))
            {
                matchPermissions(tmp, target);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("cannot write " + what + " '" + shown + "': cannot rename the finished " +
                "temporary file into place: " + cause(ex), ex);
        }
    }

    private static void matchPermissions(final Path tmp, final Path target) throws IOException
    {
        if (!Files.getFileStore(tmp).supportsFileAttributeView("posix"))
        {
            return;
        }
        if (Files.isRegularFile(target))
        {
            Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
        }
        else
        {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    private static void moveInto(final Path from, final Path into, final String what, final String shown)
    {
        final List<Path> children = new ArrayList<>();
        try (Stream<Path> list = Files.list(from))
        {
            list.forEach(children::add);
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("cannot write " + what + " '" + shown + "': " + cause(ex), ex);
        }
        for (final Path child : children)
        {
            final Path dest = into.resolve(child.getFileName().toString());
            final BasicFileAttributes existing = attributes(dest, false);
            if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS) && existing != null && existing.isDirectory())
            {
                moveInto(child, dest, what, shown);
            }
            else if (existing != null && !existing.isRegularFile())
            {
                throw new FlowclashException("cannot write " + what + " '" + shown + "': '" + dest + "' is " +
                    kind(dest, false) + ", not a regular file; left as it is");
            }
            else
            {
                rename(child, dest, what, shown);
            }
        }
    }

    private static boolean isEmptyDirectory(final Path dir)
    {
        try (Stream<Path> list = Files.list(dir))
        {
            return list.findAny().isEmpty();
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static void removeTemp(final Path tmp)
    {
        synchronized (LOCK)
        {
            deleteTree(tmp);
            TEMPS.remove(tmp);
        }
    }

    private static void removeAllTemps()
    {
        synchronized (LOCK)
        {
            shuttingDown = true;
            for (final Path tmp : TEMPS)
            {
                deleteTree(tmp);
            }
            TEMPS.clear();
        }
    }

    private static void deleteTree(final Path path)
    {
        if (attributes(path, false) == null)
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(path))
        {
            walk.sorted(Comparator.reverseOrder()).forEach(p ->
            {
                try
                {
                    Files.deleteIfExists(p);
                }
                catch (final IOException ignore)
                {
                    // best effort: the failure being reported, or the signal, is what matters
                }
            });
        }
        catch (final IOException | RuntimeException ignore)
        {
            // best effort, as above
        }
    }

    private static Path realPath(final Path path, final String what, final String shown)
    {
        try
        {
            return path.toRealPath();
        }
        catch (final IOException ex)
        {
            throw new FlowclashException("cannot write " + what + " '" + shown + "': " + cause(ex), ex);
        }
    }

    private static BasicFileAttributes attributes(final Path path, final boolean follow)
    {
        try
        {
            return follow ? Files.readAttributes(path, BasicFileAttributes.class) :
                Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    /** What a path is, as a noun phrase: "a directory", "a character device", "a FIFO (named pipe)". */
    static String kind(final Path path, final boolean follow)
    {
        final BasicFileAttributes attrs = attributes(path, follow);
        if (attrs == null)
        {
            return "missing";
        }
        if (attrs.isDirectory())
        {
            return "a directory";
        }
        if (attrs.isRegularFile())
        {
            return "a regular file";
        }
        if (attrs.isSymbolicLink())
        {
            return "a symbolic link";
        }
        try
        {
            final Object mode = follow ? Files.getAttribute(path, "unix:mode") :
                Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            switch (((Integer)mode) & S_IFMT)
            {
                case S_IFCHR:
                    return "a character device";
                case S_IFBLK:
                    return "a block device";
                case S_IFIFO:
                    return "a FIFO (named pipe)";
                case S_IFSOCK:
                    return "a socket";
                default:
                    return "a special file";
            }
        }
        catch (final IOException | UnsupportedOperationException | IllegalArgumentException ex)
        {
            return "a special file";
        }
    }

    private static String shown(final Path target)
    {
        return target == null ? "" : target.toString();
    }
}
