using System.Reflection;
using System.Text.Json;
using TorchSharp;

namespace ModelZoo.Cli;

/// <summary>
/// What <c>modelzoo --version</c> prints: the tool's version and the commit it was built from (one source: git, through
/// MinVer, for the packages, the assemblies and this line; docs/versioning.md), and the TorchSharp and libtorch
/// versions it runs on.
/// </summary>
public static class CliVersion
{
    /// <summary>The tool's version, e.g. <c>0.2.0-dev.112</c> or <c>0.2.0</c> (without the commit).</summary>
    public static string Tool => SplitInformational(typeof(CliVersion).Assembly).Version;

    /// <summary>
    /// The full git commit the tool was built from, or null for a build outside a git clone (a source tarball).
    /// </summary>
    public static string? Commit => SplitInformational(typeof(CliVersion).Assembly).Commit;

    /// <summary>The TorchSharp package version.</summary>
    public static string TorchSharp => SplitInformational(typeof(torch).Assembly).Version;

    /// <summary>The libtorch package version the app was built with (from its deps.json), or TorchSharp's own report.</summary>
    public static string LibTorch => FromDeps() ?? SafeTorchVersion();

    /// <summary>
    /// One line: <c>modelzoo 0.2.0-dev.112 (commit 08ea80a3ec…, TorchSharp 0.107.0, libtorch 2.10.0)</c>; the commit
    /// reads <c>unknown (built outside a git clone)</c> when the build had no git history.
    /// </summary>
    public static string Describe() =>
        $"modelzoo {Tool} (commit {Commit ?? "unknown (built outside a git clone)"}, TorchSharp {TorchSharp}, libtorch {LibTorch})";

    /// <summary>
    /// The informational version split at '+': the version, and the commit when the metadata is a hexadecimal git
    /// commit (the SDK appends it from the source repository).
    /// </summary>
    internal static (string Version, string? Commit) SplitInformational(Assembly assembly)
    {
        string? v = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(v)) return (assembly.GetName().Version?.ToString(3) ?? "unknown", null);
        int plus = v.IndexOf('+', StringComparison.Ordinal);
        if (plus < 0) return (v, null);
        // Build metadata may carry several dot-separated parts (MinVer's own, then the commit): the commit is the last.
        string commit = v[(plus + 1)..].Split('.')[^1];
        bool isCommit = commit.Length >= 7 && commit.All(Uri.IsHexDigit);
        return (v[..plus], isCommit ? commit : null);
    }

    private static string? FromDeps()
    {
        try
        {
            string deps = Path.Combine(AppContext.BaseDirectory, typeof(CliVersion).Assembly.GetName().Name + ".deps.json");
            if (!File.Exists(deps)) return null;
            using var doc = JsonDocument.Parse(File.ReadAllText(deps));
            if (!doc.RootElement.TryGetProperty("libraries", out var libraries)) return null;
            var names = libraries.EnumerateObject().Select(p => p.Name).Where(n => n.StartsWith("libtorch", StringComparison.Ordinal) && n.Contains('/', StringComparison.Ordinal)).ToList();
            string? rid = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : null;
            string? pick = names.FirstOrDefault(n => rid is not null && n.Contains(rid, StringComparison.Ordinal)) ?? names.FirstOrDefault();
            return pick?[(pick.IndexOf('/', StringComparison.Ordinal) + 1)..];
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string SafeTorchVersion()
    {
        try { return torch.__version__; }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException) { return "unavailable"; }
    }
}
