using System.Reflection;
using System.Text.Json;
using TorchSharp;

namespace ModelZoo.Cli;

/// <summary>
/// What <c>modelzoo --version</c> prints: the tool's version (one source: <c>VersionPrefix</c> in Directory.Build.props
/// plus the CI's <c>VersionSuffix</c>), and the TorchSharp and libtorch versions it runs on.
/// </summary>
public static class CliVersion
{
    /// <summary>The tool's version, e.g. <c>0.1.0</c> or <c>0.1.0-ci.42</c> (without the source revision).</summary>
    public static string Tool => Informational(typeof(CliVersion).Assembly);

    /// <summary>The TorchSharp package version.</summary>
    public static string TorchSharp => Informational(typeof(torch).Assembly);

    /// <summary>The libtorch package version the app was built with (from its deps.json), or TorchSharp's own report.</summary>
    public static string LibTorch => FromDeps() ?? SafeTorchVersion();

    /// <summary>One line: <c>modelzoo 0.1.0 (TorchSharp 0.107.0, libtorch 2.10.0)</c>.</summary>
    public static string Describe() => $"modelzoo {Tool} (TorchSharp {TorchSharp}, libtorch {LibTorch})";

    private static string Informational(Assembly assembly)
    {
        string? v = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(v)) return assembly.GetName().Version?.ToString(3) ?? "unknown";
        int plus = v.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? v : v[..plus];
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
