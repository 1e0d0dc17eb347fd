namespace ModelZoo.Tests;

/// <summary>
/// The one place the tests learn where things are: the repository root (the folder holding ModelZoo.sln) and the
/// shared real data sets, which CI lays beside the clone as <c>../shared/datasets</c> (override with
/// <c>MODELZOO_SHARED_DATASETS</c>). When the whole folder is missing, tests that need it are skipped and the single
/// test <see cref="SharedDataTests.SharedDatasetsArePresent"/> fails with one message that says what to do, instead
/// of dozens of unrelated file-not-found failures.
/// </summary>
internal static class TestPaths
{
    /// <summary>Environment variable naming the shared datasets folder when it is not <c>../shared/datasets</c>.</summary>
    public const string SharedDatasetsVariable = "MODELZOO_SHARED_DATASETS";

    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ModelZoo.sln"))) return dir.FullName;
        throw new InvalidOperationException("ModelZoo.sln not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The shared datasets folder (it may not exist; see <see cref="SharedDataset"/>).</summary>
    public static string SharedDatasets =>
        Environment.GetEnvironmentVariable(SharedDatasetsVariable) is { Length: > 0 } custom
            ? Path.GetFullPath(custom)
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "datasets"));

    /// <summary>The message shown once when the shared datasets folder is missing.</summary>
    public static string MissingSharedDatasetsMessage =>
        $"the shared real data sets were not found at {SharedDatasets}: clone the repository beside shared/ " +
        $"(so that ../shared/datasets exists) or set {SharedDatasetsVariable} to the datasets folder. " +
        "Tests that need them were skipped.";

    /// <summary>
    /// The path of one shared data set (e.g. <c>mnist-subset-10k</c>, <c>imagenette-mini</c>). Skips the calling
    /// test when the whole shared folder is missing (reported once by <see cref="SharedDataTests"/>), and fails it
    /// when the folder is there but this data set is not.
    /// </summary>
    public static string SharedDataset(string name)
    {
        if (!Directory.Exists(SharedDatasets)) Assert.Ignore(MissingSharedDatasetsMessage);
        string path = Path.Combine(SharedDatasets, name);
        if (!Directory.Exists(path)) Assert.Fail($"shared data set '{name}' not found in {SharedDatasets} (see its README)");
        return path;
    }

    /// <summary>The real MNIST subset (8,000 train + 2,000 test digits, IDX, gzip).</summary>
    public static string MnistSubset => SharedDataset("mnist-subset-10k");

    /// <summary>The small ImageNet-format folder of real JPEGs (train/ and val/, 10 classes).</summary>
    public static string Imagenette => SharedDataset("imagenette-mini");
}
