using System.Globalization;
using System.Text;

namespace ModelZoo.Data.Folders;

/// <summary>
/// The bad images of a run, in the order they were found (load-time preflight first, then files that failed to
/// decode during training, in batch order), each file once; and their <c>bad-images.tsv</c> (<see cref="Format"/>,
/// <see cref="Write"/>). <see cref="For"/> builds one over a run's data sets that follows their decode-time skips, and
/// <see cref="KeepWritten"/> rewrites the file (atomically) whenever an image is added. Thread-safe.
/// </summary>
/// <remarks>
/// File names may hold any character but '/' and NUL, so in the file and in messages (<see cref="Escape"/>) a
/// backslash is written <c>\\</c>, a tab <c>\t</c>, a newline <c>\n</c>, a carriage return <c>\r</c> and any other
/// control character <c>\xNN</c>: one line per image, two tab-separated cells, whatever the names.
/// </remarks>
public sealed class BadImageReport : IReadOnlyList<SkippedImage>
{
    /// <summary>The header line of <c>bad-images.tsv</c>.</summary>
    public const string Header = "file\treason";

    private readonly object _gate = new();
    private readonly List<SkippedImage> _images = [];
    private readonly HashSet<string> _paths = new(StringComparer.Ordinal);

    /// <summary>Raised after an image is added (on the thread that added it).</summary>
    public event Action<SkippedImage>? Added;

    /// <summary>A report over <paramref name="datasets"/> (image folders, directly or through <see cref="SubsetDataset"/>; others are ignored): their load-time skips now, their decode-time skips as they happen.</summary>
    public static BadImageReport For(params IImageDataset?[] datasets)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        var report = new BadImageReport();
        var folders = new List<ImageFolderDataset>();
        foreach (var d in datasets)
        {
            var source = d;
            while (source is SubsetDataset subset) source = subset.Source;
            if (source is ImageFolderDataset folder && !folders.Contains(folder)) folders.Add(folder);
        }
        foreach (var folder in folders)
        {
            foreach (var image in folder.Skipped) report.Add(image);
            folder.ImageSkipped += image => report.Add(image);
        }
        return report;
    }

    /// <summary><paramref name="images"/> itself when it is a report, else a new report holding them (none for null).</summary>
    public static BadImageReport From(IEnumerable<SkippedImage>? images)
    {
        if (images is BadImageReport report) return report;
        report = new BadImageReport();
        foreach (var image in images ?? []) report.Add(image);
        return report;
    }

    /// <summary>Adds <paramref name="image"/> unless its file is already listed; true when added.</summary>
    public bool Add(SkippedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        lock (_gate)
        {
            if (!_paths.Add(image.Path)) return false;
            _images.Add(image);
        }
        Added?.Invoke(image);
        return true;
    }

    /// <inheritdoc />
    public int Count
    {
        get
        {
            lock (_gate) return _images.Count;
        }
    }

    /// <inheritdoc />
    public SkippedImage this[int index]
    {
        get
        {
            lock (_gate) return _images[index];
        }
    }

    /// <inheritdoc />
    public IEnumerator<SkippedImage> GetEnumerator()
    {
        List<SkippedImage> copy;
        lock (_gate) copy = [.. _images];
        return copy.GetEnumerator();
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Keeps <paramref name="path"/> equal to <see cref="Format"/> of this report: written now when the report is not
    /// empty, and again (atomically) after every <see cref="Add"/>, until the result is disposed. <paramref name="log"/>,
    /// when given, gets one line per write: how many images are listed where, then each image as it is added.
    /// </summary>
    public IDisposable KeepWritten(string path, Action<string>? log = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var keeper = new Keeper(this, path, log);
        Added += keeper.OnAdded;
        if (Count > 0) keeper.WriteNow(null);
        return keeper;
    }

    /// <summary>The file's text: <see cref="Header"/>, then one line per image (escaped path, tab, escaped reason).</summary>
    public static string Format(IEnumerable<SkippedImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var text = new StringBuilder(Header).Append('\n');
        foreach (var image in images) text.Append(Escape(image.Path)).Append('\t').Append(Escape(image.Reason)).Append('\n');
        return text.ToString();
    }

    /// <summary>Writes <see cref="Format"/> of <paramref name="images"/> to <paramref name="path"/> atomically (a temporary file renamed over it).</summary>
    public static void Write(string path, IEnumerable<SkippedImage> images)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + $".{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllText(temp, Format(images), new UTF8Encoding(false));
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>
    /// <paramref name="text"/> on one line with visible control characters: <c>\\</c>, <c>\t</c>, <c>\n</c>,
    /// <c>\r</c>, else <c>\xNN</c> (C0 controls and DEL); everything else unchanged.
    /// </summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(c => c == '\\' || char.IsControl(c))) return text;
        var s = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            switch (c)
            {
                case '\\': s.Append(@"\\"); break;
                case '\t': s.Append(@"\t"); break;
                case '\n': s.Append(@"\n"); break;
                case '\r': s.Append(@"\r"); break;
                default:
                    if (char.IsControl(c)) s.Append(@"\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else s.Append(c);
                    break;
            }
        }
        return s.ToString();
    }

    private sealed class Keeper(BadImageReport report, string path, Action<string>? log) : IDisposable
    {
        private readonly object _write = new();
        private bool _disposed;

        public void OnAdded(SkippedImage image) => WriteNow(image);

        public void WriteNow(SkippedImage? added)
        {
            lock (_write)
            {
                if (_disposed) return;
                Write(path, report);
                if (log is null) return;
                int count = report.Count;
                if (added is null)
                    log($"skipped {count} bad image{(count == 1 ? "" : "s")}: listed in {path}");
                else
                    log($"skipped bad image '{Escape(added.Path)}' ({Escape(added.Reason)}), {count} in all: listed in {path}");
            }
        }

        public void Dispose()
        {
            report.Added -= OnAdded;
            lock (_write) _disposed = true;
        }
    }
}
