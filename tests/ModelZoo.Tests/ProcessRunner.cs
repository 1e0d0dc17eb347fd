using System.Diagnostics;
using System.Text;

namespace ModelZoo.Tests;

/// <summary>Runs programs (the dotnet CLI, the installed tool) for build-, package- and docs-level tests.</summary>
internal static class ProcessRunner
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string All => StdOut + "\n" + StdErr;
    }

    /// <summary>Runs a program with arguments, capturing output; kills it after <paramref name="timeout"/>.</summary>
    public static Result Run(string fileName, IEnumerable<string> args, string workingDirectory, TimeSpan timeout,
        IDictionary<string, string?>? environment = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The test host runs under MSBuild/VSTest; don't leak their settings into child builds.
        foreach (var key in psi.Environment.Keys.ToList())
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                psi.Environment.Remove(key);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        if (environment is not null)
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit((int)timeout.TotalMilliseconds))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return new Result(-1, stdout.ToString(), stderr + $"\n[timed out after {timeout}]");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs <c>dotnet</c> with arguments.</summary>
    public static Result Dotnet(IEnumerable<string> args, string workingDirectory, TimeSpan timeout,
        IDictionary<string, string?>? environment = null) =>
        Run("dotnet", args, workingDirectory, timeout, environment);
}
