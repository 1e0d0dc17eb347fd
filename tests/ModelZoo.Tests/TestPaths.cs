namespace ModelZoo.Tests;

/// <summary>Where the repository and the shared real data sets are (CI clones the repo with shared/ beside it).</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ModelZoo.sln"))) return dir.FullName;
        throw new InvalidOperationException("ModelZoo.sln not found above " + AppContext.BaseDirectory);
    });

    public static string RepoRoot => Root.Value;

    public static string SharedDatasets => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "datasets"));
}
