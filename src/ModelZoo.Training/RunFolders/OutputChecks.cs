using System.Globalization;

namespace ModelZoo.Training;

/// <summary>
/// Checks every path a run or a command will write before the work starts: an output that is a file where a folder is
/// meant (or the reverse), a missing parent, a folder that cannot be written, too little free disk space, and a
/// non-empty folder or an existing file that would be replaced without being asked to. Each problem is one
/// <see cref="OutputPathException"/> naming the path and what is wrong; nothing is written.
/// </summary>
public static class OutputChecks
{
    private static readonly AsyncLocal<Func<string, long?>?> FreeBytesOverride = new();

    /// <summary>Free bytes on the disk holding a folder (tests replace it to simulate a full disk; null: unknown).</summary>
    internal static Func<string, long?> FreeBytes
    {
        get => FreeBytesOverride.Value ?? DefaultFreeBytes;
        set => FreeBytesOverride.Value = value;
    }

    /// <summary>Space every write needs at least, whatever the estimate: 8 MB.</summary>
    public const long MinimumFreeBytes = 8L << 20;

    /// <summary>
    /// Checks an output folder (a run folder, an evaluation folder). A missing folder must have an existing, writable
    /// parent (<paramref name="createParents"/>: missing parents are created, for defaults such as <c>runs/</c>).
    /// </summary>
    /// <param name="path">The folder.</param>
    /// <param name="overwrite">Whether a non-empty folder may be replaced.</param>
    /// <param name="bytesNeeded">About how much will be written.</param>
    /// <param name="createParents">Create missing parent folders instead of failing.</param>
    /// <returns>Whether the folder exists and is not empty (it will be replaced).</returns>
    /// <exception cref="OutputPathException">The folder cannot be written as asked.</exception>
    public static bool CheckFolder(string path, bool overwrite, long bytesNeeded, bool createParents = false)
    {
        string full = Full(path);
        if (File.Exists(full)) throw new OutputPathException(OutputPathProblem.WrongKind, path, $"'{path}' is a file, not a folder");
        bool replace = false;
        if (Directory.Exists(full))
        {
            bool nonEmpty;
            try { nonEmpty = Directory.EnumerateFileSystemEntries(full).Any(); }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException) { throw new OutputPathException(OutputPathProblem.NotWritable, path, $"cannot read the folder '{path}' (permission denied)"); }
            if (nonEmpty && !overwrite) throw new OutputPathException(OutputPathProblem.AlreadyThere, path, $"'{path}' is not empty");
            replace = nonEmpty;
            Probe(full, path);
            // Replacing renames the old folder aside, next to it.
            if (replace) Probe(Parent(full), Parent(full));
            CheckSpace(full, path, bytesNeeded);
            return replace;
        }
        string parent = Parent(full);
        if (!Directory.Exists(parent))
        {
            if (FirstFileAbove(full) is string file) throw new OutputPathException(OutputPathProblem.MissingParent, path, $"'{file}' is a file, so '{path}' cannot be created");
            if (!createParents) throw new OutputPathException(OutputPathProblem.MissingParent, path, $"the folder '{parent}' does not exist (create it first)");
            string? existing = FirstExistingAbove(full);
            if (existing is not null) Probe(existing, existing);
            try { Directory.CreateDirectory(parent); }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException) { throw new OutputPathException(OutputPathProblem.NotWritable, path, $"cannot create the folder '{parent}' ({Reason(e)})"); }
        }
        Probe(parent, parent);
        CheckSpace(parent, path, bytesNeeded);
        return replace;
    }

    /// <summary>Checks an output file: not a folder, its folder exists and is writable, room on the disk, and an
    /// existing file only with <paramref name="overwrite"/>.</summary>
    /// <exception cref="OutputPathException">The file cannot be written as asked.</exception>
    public static void CheckFile(string path, bool overwrite, long bytesNeeded)
    {
        string full = Full(path);
        if (Directory.Exists(full)) throw new OutputPathException(OutputPathProblem.WrongKind, path, $"'{path}' is a folder; give a file name");
        if (File.Exists(full) && !overwrite) throw new OutputPathException(OutputPathProblem.AlreadyThere, path, $"'{path}' already exists");
        string parent = Parent(full);
        if (!Directory.Exists(parent))
        {
            if (FirstFileAbove(full) is string file) throw new OutputPathException(OutputPathProblem.MissingParent, path, $"'{file}' is a file, so '{path}' cannot be created");
            throw new OutputPathException(OutputPathProblem.MissingParent, path, $"the folder '{parent}' does not exist (create it first)");
        }
        Probe(parent, parent);
        CheckSpace(parent, path, bytesNeeded);
    }

    private static string Full(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new OutputPathException(OutputPathProblem.Invalid, path ?? "", "needs a path, got an empty string");
        try { return Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException) { throw new OutputPathException(OutputPathProblem.Invalid, path, $"'{path}' is not a valid path"); }
    }

    private static string Parent(string full) => Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(full)) ?? full;

    private static string? FirstFileAbove(string full)
    {
        for (string? p = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(full)); p is not null; p = Path.GetDirectoryName(p))
        {
            if (File.Exists(p)) return p;
            if (Directory.Exists(p)) return null;
        }
        return null;
    }

    private static string? FirstExistingAbove(string full)
    {
        for (string? p = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(full)); p is not null; p = Path.GetDirectoryName(p))
            if (Directory.Exists(p)) return p;
        return null;
    }

    private static void Probe(string folder, string shown)
    {
        string probe = Path.Combine(folder, $".modelzoo-write-test-{Guid.NewGuid():N}");
        try
        {
            using (var s = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) s.WriteByte(0);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new OutputPathException(OutputPathProblem.NotWritable, shown, $"cannot write in '{shown}' ({Reason(e)})");
        }
        finally
        {
            try { if (File.Exists(probe)) File.Delete(probe); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static void CheckSpace(string folder, string shown, long bytesNeeded)
    {
        long need = Math.Max(bytesNeeded, MinimumFreeBytes);
        if (FreeBytes(folder) is long free && free < need)
            throw new OutputPathException(OutputPathProblem.NoSpace, shown, string.Create(CultureInfo.InvariantCulture,
                $"not enough disk space for '{shown}': {free / 1048576.0:0.#} MB free, about {need / 1048576.0:0.#} MB needed"));
    }

    internal static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied or read-only",
        IOException io when io.HResult == 28 || io.Message.Contains("space", StringComparison.OrdinalIgnoreCase) => "the disk is full",
        IOException io when io.Message.Contains("Read-only", StringComparison.OrdinalIgnoreCase) => "read-only file system",
        _ => "not writable",
    };

    private static long? DefaultFreeBytes(string folder)
    {
        try { return new DriveInfo(folder).AvailableFreeSpace; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return null; }
    }
}
