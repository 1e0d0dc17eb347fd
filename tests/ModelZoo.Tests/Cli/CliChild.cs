using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace ModelZoo.Tests.Cli;

/// <summary>
/// Runs the built CLI (<c>src/ModelZoo.Cli/bin/Release/net10.0/ModelZoo.Cli.dll</c>) as a child process, the way a user
/// does, with the option of sending it SIGTERM when a line of its output matches (SIGTERM, not SIGINT: a shell starts
/// background jobs with SIGINT ignored, and the child would inherit that when the tests run in the background).
/// </summary>
internal static partial class CliChild
{
    /// <summary>The dll, relative to the repository root (as a user would type it from there).</summary>
    public const string RelativeDll = "src/ModelZoo.Cli/bin/Release/net10.0/ModelZoo.Cli.dll";

    public static void RequireBuilt()
    {
        if (!File.Exists(Path.Combine(TestPaths.RepoRoot, RelativeDll)))
            Assert.Ignore($"{RelativeDll} is not built (dotnet build ModelZoo.sln -c Release)");
    }

    /// <summary>Runs <c>program args</c> from the repository root; sends SIGTERM once a stdout line contains <paramref name="interruptAfter"/>.</summary>
    public static ProcessRunner.Result Run(string program, IEnumerable<string> args, TimeSpan timeout, string? interruptAfter = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = TestPaths.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList()) psi.Environment.Remove(key);
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        int signalled = 0;
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stdout) stdout.AppendLine(e.Data);
            if (interruptAfter is not null && e.Data.Contains(interruptAfter, StringComparison.Ordinal) && Interlocked.Exchange(ref signalled, 1) == 0)
                _ = Kill(p.Id, 15);
        };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit((int)timeout.TotalMilliseconds))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return new ProcessRunner.Result(-1, stdout.ToString(), stderr + $"\n[timed out after {timeout}]");
        }
        p.WaitForExit();
        return new ProcessRunner.Result(p.ExitCode, stdout.ToString(), stderr.ToString());
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
