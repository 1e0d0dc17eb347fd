using System.Collections.Concurrent;
using System.Text;
using ModelZoo.Data.Imaging;

namespace ModelZoo.Data.Folders;

/// <summary>
/// Reads ImageNet-format folders: <c>DIR/train/&lt;class&gt;/*</c> and <c>DIR/val/&lt;class&gt;/*</c> when both
/// exist, otherwise <c>DIR/&lt;class&gt;/*</c> split into train and val per class (stratified, seeded).
/// </summary>
/// <remarks>
/// Class index = position of the NFC-normalised folder name in ordinal (code-point) order. Files are found
/// recursively under each class folder. Skipped silently: names starting with '.' (hidden files and folders,
/// including macOS <c>._*</c> resource forks), <c>Thumbs.db</c>, <c>desktop.ini</c>, <c>__MACOSX</c>, files whose
/// extension is not in <see cref="ImageFolderOptions.Extensions"/>, and symbolic links unless
/// <see cref="ImageFolderOptions.FollowSymlinks"/> (followed links are resolved to real paths and each real folder
/// is visited once, so link loops end). An empty class folder is an error naming it.
/// </remarks>
public static class ImageFolder
{
    private const int MaxDepth = 64;

    /// <summary>Loads a folder as train and validation sets.</summary>
    /// <param name="dir">The folder.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <exception cref="ImageFolderException">The layout is unusable or too many files are bad.</exception>
    /// <exception cref="BadImageException">A bad file under <see cref="OnBadImage.Fail"/>.</exception>
    public static ImageFolderResult Load(string dir, ImageFolderOptions? options = null)
    {
        options ??= new ImageFolderOptions();
        Validate(options);
        string root = CheckRoot(dir);
        var decoder = new SafeImageDecoder(options.Decode with { Channels = options.Channels });

        string train = Path.Combine(root, "train"), val = Path.Combine(root, "val");
        if (Directory.Exists(train) && Directory.Exists(val))
        {
            var trainClasses = ScanClasses(train, options);
            var valClasses = ScanClasses(val, options);
            var onlyTrain = trainClasses.Keys.Except(valClasses.Keys, StringComparer.Ordinal).ToList();
            var onlyVal = valClasses.Keys.Except(trainClasses.Keys, StringComparer.Ordinal).ToList();
            if (onlyTrain.Count > 0 || onlyVal.Count > 0)
            {
                throw new ImageFolderException(
                    $"'{root}': train and val have different classes (only in train: [{string.Join(", ", onlyTrain)}]; only in val: [{string.Join(", ", onlyVal)}])",
                    root);
            }

            var classNames = trainClasses.Keys.ToArray();
            var trainSet = Build(trainClasses, classNames, decoder, options, train);
            var valSet = Build(valClasses, classNames, decoder, options, val);
            return new ImageFolderResult(trainSet, valSet, classNames, true);
        }
        else
        {
            var classes = ScanClasses(root, options);
            var classNames = classes.Keys.ToArray();
            var (files, skipped) = Preflight(classes, decoder, options, root);
            var rng = new Random(options.Seed);
            var trainFiles = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
            var valFiles = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var (name, list) in files)
            {
                var shuffled = list.ToArray();
                for (int i = shuffled.Length - 1; i > 0; i--)
                {
                    int j = rng.Next(i + 1);
                    (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
                }

                int nVal = ValCount(shuffled.Length, options.ValSplit);
                valFiles[name] = shuffled.Take(nVal).Order(StringComparer.Ordinal).ToList();
                trainFiles[name] = shuffled.Skip(nVal).Order(StringComparer.Ordinal).ToList();
            }

            var trainSet = Flatten(trainFiles, classNames, decoder, skipped, options, root);
            var valSet = options.ValSplit > 0 ? Flatten(valFiles, classNames, decoder, [], options, root) : null;
            return new ImageFolderResult(trainSet, valSet, classNames, false);
        }
    }

    /// <summary>Loads <c>DIR/&lt;class&gt;/*</c> as one data set, without splitting (e.g. for evaluation).</summary>
    /// <exception cref="ImageFolderException">The layout is unusable or too many files are bad.</exception>
    /// <exception cref="BadImageException">A bad file under <see cref="OnBadImage.Fail"/>.</exception>
    public static ImageFolderDataset LoadSingle(string dir, ImageFolderOptions? options = null)
    {
        options ??= new ImageFolderOptions();
        Validate(options);
        string root = CheckRoot(dir);
        var decoder = new SafeImageDecoder(options.Decode with { Channels = options.Channels });
        var classes = ScanClasses(root, options);
        return Build(classes, classes.Keys.ToArray(), decoder, options, root);
    }

    /// <summary>
    /// The class folders under <paramref name="dir"/> (NFC names in ordinal order) and their candidate files
    /// (ordinal order), after the skip rules; no file is opened.
    /// </summary>
    /// <exception cref="ImageFolderException">No class folders, an empty class folder, or two names equal after NFC.</exception>
    public static SortedDictionary<string, List<string>> ScanClasses(string dir, ImageFolderOptions? options = null)
    {
        options ??= new ImageFolderOptions();
        string root = CheckRoot(dir);
        var result = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        string rootReal = RealPath(root);
        var classDirs = new List<DirectoryInfo>();
        foreach (var entry in new DirectoryInfo(root).EnumerateDirectories().OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            if (IsJunk(entry)) continue;
            if (entry.LinkTarget is not null && !options.FollowSymlinks) continue;
            classDirs.Add(entry);
        }

        var classReals = classDirs.Select(d => SafeRealPath(d.FullName)).ToArray();
        for (int ci = 0; ci < classDirs.Count; ci++)
        {
            var entry = classDirs[ci];
            // Per class: each real folder at most once; the root and the other class folders are never entered
            // (a link to them would merge classes or loop).
            var visited = new HashSet<string>(StringComparer.Ordinal) { rootReal };
            foreach (var other in classReals)
            {
                if (other != classReals[ci]) visited.Add(other);
            }

            string name = entry.Name.Normalize(NormalizationForm.FormC);
            if (result.ContainsKey(name))
                throw new ImageFolderException($"'{root}': two class folders have the same name '{name}' after Unicode NFC normalisation", entry.FullName);
            var files = new List<string>();
            CollectFiles(entry, options, visited, files, 0);
            if (files.Count == 0)
                throw new ImageFolderException($"empty class folder '{entry.FullName}': no image files in it", entry.FullName);
            files.Sort(StringComparer.Ordinal);
            result[name] = files;
        }

        if (result.Count == 0)
            throw new ImageFolderException($"'{root}' has no class folders (expected DIR/<class>/* or DIR/train/<class>/* + DIR/val/<class>/*)", root);
        return result;
    }

    private static void Validate(ImageFolderOptions options)
    {
        if (options.Channels is not (1 or 3))
            throw new ArgumentException($"Channels must be 1 or 3, got {options.Channels}", nameof(options));
        if (options.ValSplit is < 0 or >= 1 || double.IsNaN(options.ValSplit))
            throw new ArgumentException($"ValSplit must be in [0, 1), got {options.ValSplit}", nameof(options));
        if (options.MaxBadFraction is < 0 or > 1 || double.IsNaN(options.MaxBadFraction))
            throw new ArgumentException($"MaxBadFraction must be in [0, 1], got {options.MaxBadFraction}", nameof(options));
    }

    private static string CheckRoot(string dir)
    {
        string root = Path.GetFullPath(dir);
        if (!Directory.Exists(root))
            throw new ImageFolderException($"image folder '{root}' does not exist", root);
        return root;
    }

    private static int ValCount(int n, double split)
    {
        if (split <= 0 || n < 2) return 0;
        int k = (int)Math.Round(n * split, MidpointRounding.AwayFromZero);
        return Math.Clamp(k, 1, n - 1);
    }

    private static ImageFolderDataset Build(
        SortedDictionary<string, List<string>> classes, string[] classNames, SafeImageDecoder decoder, ImageFolderOptions options, string where)
    {
        var (files, skipped) = Preflight(classes, decoder, options, where);
        return Flatten(files, classNames, decoder, skipped, options, where);
    }

    private static ImageFolderDataset Flatten(
        SortedDictionary<string, List<string>> files, string[] classNames, SafeImageDecoder decoder, IReadOnlyList<SkippedImage> skipped,
        ImageFolderOptions options, string where)
    {
        var paths = new List<string>();
        var labels = new List<int>();
        foreach (var (name, list) in files)
        {
            int label = Array.IndexOf(classNames, name);
            foreach (var p in list)
            {
                paths.Add(p);
                labels.Add(label);
            }
        }

        return new ImageFolderDataset(paths, labels, classNames, decoder, skipped, options.OnBadImage, options.MaxBadFraction, where);
    }

    private static (SortedDictionary<string, List<string>> Files, List<SkippedImage> Skipped) Preflight(
        SortedDictionary<string, List<string>> classes, SafeImageDecoder decoder, ImageFolderOptions options, string where)
    {
        if (!options.Preflight && options.OnBadImage == OnBadImage.Fail)
            return (classes, []);
        var all = classes.SelectMany(kv => kv.Value).ToArray();
        var bad = new ConcurrentDictionary<int, BadImageException>();
        Parallel.For(0, all.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) }, i =>
        {
            try
            {
                decoder.Inspect(all[i]);
            }
            catch (BadImageException ex)
            {
                bad[i] = ex;
            }
        });
        if (bad.IsEmpty) return (classes, []);
        var ordered = bad.OrderBy(kv => kv.Key).Select(kv => kv.Value).ToList();
        if (options.OnBadImage == OnBadImage.Fail) throw ordered[0];

        if (ordered.Count > options.MaxBadFraction * all.Length)
            throw TooManyBad(where, ordered.Select(e => new SkippedImage(e.Path!, e.Reason)).ToList(), all.Length, options.MaxBadFraction);

        var badPaths = new HashSet<string>(ordered.Select(e => e.Path!), StringComparer.Ordinal);
        var kept = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, list) in classes)
        {
            var good = list.Where(p => !badPaths.Contains(p)).ToList();
            if (good.Count == 0)
                throw new ImageFolderException($"class '{name}' in '{where}' has no usable images: all {list.Count} are bad", where);
            kept[name] = good;
        }

        return (kept, ordered.Select(e => new SkippedImage(e.Path!, e.Reason)).ToList());
    }

    /// <summary>The error for more bad files than the limit, naming the folder, the counts and the first few files (escaped).</summary>
    internal static ImageFolderException TooManyBad(string where, IReadOnlyList<SkippedImage> bad, int total, double maxBadFraction)
    {
        string first = string.Join("; ", bad.Take(5).Select(e => $"{BadImageReport.Escape(e.Path)}: {BadImageReport.Escape(e.Reason)}"));
        return new ImageFolderException(
            $"'{BadImageReport.Escape(where)}': {bad.Count} of {total} image files are bad ({100.0 * bad.Count / Math.Max(1, total):0.##}%), over the {100 * maxBadFraction:0.##}% limit; first: {first}",
            where);
    }

    private static void CollectFiles(DirectoryInfo dir, ImageFolderOptions options, HashSet<string> visited, List<string> files, int depth)
    {
        if (depth > MaxDepth) return;
        string real;
        try
        {
            real = RealPath(dir.FullName);
        }
        catch (IOException)
        {
            return; // a link chain too long or a dangling link
        }

        if (!visited.Add(real)) return; // already seen: a link loop or a second link to the same folder
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = dir.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ImageFolderException($"cannot list '{dir.FullName}': {ex.Message}", dir.FullName, ex);
        }

        foreach (var entry in entries)
        {
            if (IsJunk(entry)) continue;
            bool link = entry.LinkTarget is not null;
            if (link && !options.FollowSymlinks) continue;
            if (entry is DirectoryInfo sub || (link && Directory.Exists(entry.FullName)))
            {
                CollectFiles(new DirectoryInfo(entry.FullName), options, visited, files, depth + 1);
            }
            else if (options.Extensions is null || options.Extensions.Contains(entry.Extension, StringComparer.OrdinalIgnoreCase))
            {
                files.Add(entry.FullName);
            }
        }
    }

    private static bool IsJunk(FileSystemInfo entry)
    {
        string name = entry.Name;
        if (name.StartsWith('.')) return true;
        if (name.Equals("Thumbs.db", StringComparison.OrdinalIgnoreCase)) return true;
        if (name.Equals("desktop.ini", StringComparison.OrdinalIgnoreCase)) return true;
        if (name.Equals("__MACOSX", StringComparison.Ordinal)) return true;
        return OperatingSystem.IsWindows() && (entry.Attributes & (FileAttributes.Hidden | FileAttributes.System)) != 0;
    }

    private static string SafeRealPath(string path)
    {
        try
        {
            return RealPath(path);
        }
        catch (IOException)
        {
            return path;
        }
    }

    /// <summary>The path with every symbolic link in it resolved (at most 40 link hops).</summary>
    private static string RealPath(string path, int hops = 0)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string? parent = Path.GetDirectoryName(full);
        if (parent is null) return full;
        string realParent = RealPath(parent, hops);
        string candidate = Path.Combine(realParent, Path.GetFileName(full));
        string? target = new FileInfo(candidate).LinkTarget;
        if (target is null) return candidate;
        if (hops >= 40) throw new IOException($"too many levels of symbolic links at '{candidate}'");
        return RealPath(Path.IsPathRooted(target) ? target : Path.Combine(realParent, target), hops + 1);
    }
}
