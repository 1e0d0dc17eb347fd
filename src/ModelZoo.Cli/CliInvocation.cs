using System.Text;

namespace ModelZoo.Cli;

/// <summary>
/// How the user started <c>modelzoo</c>, so hints (such as the resume command after Ctrl+C) print the command as the
/// user typed it: <c>modelzoo</c> for the installed tool, <c>dotnet run --project src/ModelZoo.Cli --</c> (with the
/// user's own <c>dotnet run</c> options) from a source tree, <c>dotnet path/ModelZoo.Cli.dll</c> for a dll,
/// <c>./ModelZoo.Cli</c> for the app host. On Linux it reads the command line as typed from <c>/proc</c> (this
/// process's and, for <c>dotnet run</c>, its parent's); elsewhere it works from the process and assembly paths.
/// </summary>
public static class CliInvocation
{
    /// <summary>What the description is made from; <see cref="OfThisProcess"/> gathers it.</summary>
    /// <param name="ProcessPath">The executable (<see cref="Environment.ProcessPath"/>): <c>dotnet</c>, the tool's shim or the app host.</param>
    /// <param name="AssemblyPath">The CLI's dll.</param>
    /// <param name="WorkingDirectory">The current directory.</param>
    /// <param name="Arguments">The arguments the application received (after the program).</param>
    /// <param name="CommandLine">This process's command line as typed (<c>/proc/self/cmdline</c>), or null where it cannot be read.</param>
    /// <param name="ParentCommandLine">The parent process's command line (<c>dotnet run ...</c> when started by it), or null.</param>
    public sealed record Facts(
        string? ProcessPath,
        string? AssemblyPath,
        string WorkingDirectory,
        IReadOnlyList<string> Arguments,
        IReadOnlyList<string>? CommandLine = null,
        IReadOnlyList<string>? ParentCommandLine = null);

    /// <summary>The command prefix for this process.</summary>
    public static string Current { get; } = Describe(OfThisProcess());

    /// <summary>The facts about this process.</summary>
    public static Facts OfThisProcess() => new(
        Environment.ProcessPath, typeof(CliInvocation).Assembly.Location, Environment.CurrentDirectory,
        Environment.GetCommandLineArgs().Skip(1).ToArray(), ReadCommandLine("self"), ParentId() is int parent ? ReadCommandLine(parent.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null);

    /// <summary>The command prefix for a process at <paramref name="processPath"/> running <paramref name="assemblyPath"/> from <paramref name="workingDirectory"/>, without its command line.</summary>
    public static string Describe(string? processPath, string? assemblyPath, string workingDirectory) =>
        Describe(new Facts(processPath, assemblyPath, workingDirectory, []));

    /// <summary>The command prefix (what comes before <c>train --resume DIR</c>) for the process described by <paramref name="facts"/>.</summary>
    public static string Describe(Facts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        // Not GetFileNameWithoutExtension: "ModelZoo.Cli" has no extension, ".Cli" is part of the name.
        string exe = Path.GetFileName(facts.ProcessPath ?? "");
        if (exe.EndsWith(".exe", StringComparison.OrdinalIgnoreCase)) exe = exe[..^4];
        bool host = string.Equals(exe, "dotnet", StringComparison.OrdinalIgnoreCase);
        string? app = host ? facts.AssemblyPath : facts.ProcessPath;

        // Started by `dotnet run` (which runs the project's app host, or `dotnet exec` of its dll): the user's
        // `dotnet run` command, with its options, up to the application's arguments.
        if (app is not null && ProjectAbove(app) is not null && facts.ParentCommandLine is { Count: > 1 } parent
            && IsDotnet(parent[0]) && parent.Skip(1).FirstOrDefault(a => !a.StartsWith('-')) == "run")
        {
            var prefix = WithoutTrailing(parent, facts.Arguments).Skip(1).ToList();
            if (prefix.Count == 0 || prefix[^1] != "--") prefix.Add("--");
            return Join(["dotnet", .. prefix]);
        }

        // Otherwise this process's own command line as typed: the app host or tool as typed, or `dotnet` with its
        // options up to the CLI's dll.
        if (facts.CommandLine is { Count: > 0 } own)
        {
            if (!host) return Join([own[0]]);
            if (facts.AssemblyPath is { Length: > 0 } assembly)
            {
                string full = Path.GetFullPath(assembly);
                for (int i = 1; i < own.Count; i++)
                    if (!own[i].StartsWith('-') && SamePath(Path.GetFullPath(own[i], facts.WorkingDirectory), full))
                        return Join(own.Take(i + 1));
            }
        }

        // No command line to read (not Linux): from the paths.
        if (string.IsNullOrEmpty(app) || (!host && !string.Equals(exe, "ModelZoo.Cli", StringComparison.OrdinalIgnoreCase))) return "modelzoo";
        if (app.Contains(Path.DirectorySeparatorChar + ".store" + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return "modelzoo"; // dotnet tool install
        if (host) return "dotnet " + Quote(Path.GetRelativePath(facts.WorkingDirectory, app));
        if (ProjectAbove(app) is string project) return $"dotnet run --project {Quote(Path.GetRelativePath(facts.WorkingDirectory, project))} --";
        return Quote(Path.GetRelativePath(facts.WorkingDirectory, app));
    }

    private static bool IsDotnet(string program)
    {
        string name = Path.GetFileName(program);
        return string.Equals(name, "dotnet", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "dotnet.exe", StringComparison.OrdinalIgnoreCase);
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(a, b, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary><paramref name="line"/> without <paramref name="tail"/> at its end (when it ends so).</summary>
    private static List<string> WithoutTrailing(IReadOnlyList<string> line, IReadOnlyList<string> tail)
    {
        int keep = line.Count - tail.Count;
        bool ends = keep >= 0 && tail.Select((t, i) => line[keep + i] == t).All(x => x);
        return line.Take(ends ? keep : line.Count).ToList();
    }

    private static string? ProjectAbove(string app)
    {
        // bin/<Configuration>/<framework>/ModelZoo.Cli[.dll] inside the project folder.
        var dir = Path.GetDirectoryName(Path.GetFullPath(app));
        for (int up = 0; dir is not null && up < 5; up++, dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "ModelZoo.Cli.csproj"))) return dir;
        return null;
    }

    private static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));

    /// <summary>A word as a POSIX shell reads it back: unchanged when it has only safe characters, else single-quoted.</summary>
    private static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "_-./:=@%+,~".Contains(c)) ? s : "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static IReadOnlyList<string>? ReadCommandLine(string process)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            string text = Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{process}/cmdline"));
            var words = text.Split('\0');
            return words.Length > 1 && words[^1].Length == 0 ? words[..^1] : words;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int? ParentId()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            // /proc/self/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so parse after the last ')'.
            string stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.TryParse(fields[1], System.Globalization.CultureInfo.InvariantCulture, out int ppid) ? ppid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
