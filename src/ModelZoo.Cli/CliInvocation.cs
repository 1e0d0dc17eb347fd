namespace ModelZoo.Cli;

/// <summary>
/// How the user started <c>modelzoo</c>, so hints (such as the resume command after Ctrl+C) print a command that works
/// as typed: <c>modelzoo</c> for the installed tool, <c>dotnet run --project src/ModelZoo.Cli --</c> from a source
/// tree, <c>dotnet path/ModelZoo.Cli.dll</c> for a published dll.
/// </summary>
public static class CliInvocation
{
    /// <summary>The command prefix for this process.</summary>
    public static string Current { get; } = Describe(Environment.ProcessPath, typeof(CliInvocation).Assembly.Location, Environment.CurrentDirectory);

    /// <summary>The command prefix for a process at <paramref name="processPath"/> running <paramref name="assemblyPath"/> from <paramref name="workingDirectory"/>.</summary>
    public static string Describe(string? processPath, string? assemblyPath, string workingDirectory)
    {
        // Not GetFileNameWithoutExtension: "ModelZoo.Cli" has no extension, ".Cli" is part of the name.
        string exe = Path.GetFileName(processPath ?? "");
        if (exe.EndsWith(".exe", StringComparison.OrdinalIgnoreCase)) exe = exe[..^4];
        bool host = string.Equals(exe, "dotnet", StringComparison.OrdinalIgnoreCase);
        // The app itself: the tool's shim ("modelzoo") or the apphost next to the dll ("ModelZoo.Cli").
        string? app = host ? assemblyPath : processPath;
        if (string.IsNullOrEmpty(app) || (!host && !string.Equals(exe, "ModelZoo.Cli", StringComparison.OrdinalIgnoreCase))) return "modelzoo";
        if (app.Contains(Path.DirectorySeparatorChar + ".store" + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return "modelzoo"; // dotnet tool install
        if (ProjectAbove(app) is string project)
        {
            string relative = Path.GetRelativePath(workingDirectory, project);
            return $"dotnet run --project {Quote(relative)} --";
        }
        return host ? $"dotnet {Quote(Path.GetRelativePath(workingDirectory, app))}" : Quote(Path.GetRelativePath(workingDirectory, app));
    }

    private static string? ProjectAbove(string app)
    {
        // bin/<Configuration>/<framework>/ModelZoo.Cli[.dll] inside the project folder.
        var dir = Path.GetDirectoryName(Path.GetFullPath(app));
        for (int up = 0; dir is not null && up < 5; up++, dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "ModelZoo.Cli.csproj"))) return dir;
        return null;
    }

    private static string Quote(string s) => s.Contains(' ', StringComparison.Ordinal) ? $"\"{s}\"" : s;
}
