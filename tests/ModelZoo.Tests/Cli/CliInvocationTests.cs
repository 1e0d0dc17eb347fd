using ModelZoo.Cli;
using ModelZoo.Tests.Training;

namespace ModelZoo.Tests.Cli;

/// <summary>
/// Issue 27, item 10: the "resume with:" hint names the command the user actually ran. Each way of starting the CLI
/// is described from the facts a process sees (its executable, its dll, its command line as typed and its parent's);
/// one real child process started as <c>dotnet path/ModelZoo.Cli.dll</c> and interrupted checks the whole path.
/// </summary>
public class CliInvocationTests
{
    private static readonly string Repo = TestPaths.RepoRoot;
    private static readonly string ProjectDll = Path.Combine(Repo, "src", "ModelZoo.Cli", "bin", "Release", "net10.0", "ModelZoo.Cli.dll");
    private static readonly string ProjectHost = Path.Combine(Repo, "src", "ModelZoo.Cli", "bin", "Debug", "net10.0", "ModelZoo.Cli");
    private static readonly string[] Args = ["train", "--model", "deepcnn", "--epochs", "3"];

    [Test]
    public void TheInstalledToolIsModelzoo()
    {
        var facts = new CliInvocation.Facts("/home/me/.dotnet/tools/modelzoo", "/home/me/.dotnet/tools/.store/modelzoo/1.0.0/modelzoo/1.0.0/tools/net10.0/any/ModelZoo.Cli.dll",
            "/home/me", Args, ["modelzoo", .. Args], ["-bash"]);
        Assert.That(CliInvocation.Describe(facts), Is.EqualTo("modelzoo"));
        Assert.That(CliInvocation.Describe(facts with { CommandLine = null, ParentCommandLine = null }), Is.EqualTo("modelzoo"), "without /proc");
    }

    [Test]
    public void ADllRunByDotnetIsThatDllAsTyped()
    {
        // The dll of a source tree run with `dotnet path/to/dll` is that command, not `dotnet run`.
        var facts = new CliInvocation.Facts("/usr/share/dotnet/dotnet", ProjectDll, Repo, Args,
            ["dotnet", "src/ModelZoo.Cli/bin/Release/net10.0/ModelZoo.Cli.dll", .. Args], ["bash"]);
        Assert.That(CliInvocation.Describe(facts), Is.EqualTo("dotnet src/ModelZoo.Cli/bin/Release/net10.0/ModelZoo.Cli.dll"));
        Assert.That(CliInvocation.Describe(facts with { CommandLine = ["/usr/bin/dotnet", "exec", "--roll-forward", "Major", ProjectDll, .. Args] }),
            Is.EqualTo($"/usr/bin/dotnet exec --roll-forward Major {ProjectDll}"));
        Assert.That(CliInvocation.Describe(facts with { CommandLine = null, ParentCommandLine = null }), Is.EqualTo("dotnet src/ModelZoo.Cli/bin/Release/net10.0/ModelZoo.Cli.dll"), "without /proc");
        Assert.That(CliInvocation.Describe(new CliInvocation.Facts("/usr/share/dotnet/dotnet", "/opt/my tools/ModelZoo.Cli.dll", "/opt", Args,
            ["dotnet", "my tools/ModelZoo.Cli.dll", .. Args])), Is.EqualTo("dotnet 'my tools/ModelZoo.Cli.dll'"), "quoted for the shell");
    }

    [Test]
    public void DotnetRunIsTheUsersDotnetRunCommand()
    {
        var host = new CliInvocation.Facts(ProjectHost, ProjectHost.Replace("ModelZoo.Cli", "ModelZoo.Cli.dll", StringComparison.Ordinal), Repo, Args,
            [ProjectHost, .. Args], ["dotnet", "run", "--project", "src/ModelZoo.Cli", "--", .. Args]);
        Assert.That(CliInvocation.Describe(host), Is.EqualTo("dotnet run --project src/ModelZoo.Cli --"));
        Assert.That(CliInvocation.Describe(host with { ParentCommandLine = ["/usr/bin/dotnet", "run", "-c", "Release", "--project", "src/ModelZoo.Cli", .. Args] }),
            Is.EqualTo("dotnet run -c Release --project src/ModelZoo.Cli --"), "the user's options kept, `--` added");
        Assert.That(CliInvocation.Describe(host with { WorkingDirectory = Path.Combine(Repo, "src", "ModelZoo.Cli"), ParentCommandLine = ["dotnet", "run", .. Args] }),
            Is.EqualTo("dotnet run --"), "from the project folder");
        Assert.That(CliInvocation.Describe(host with { CommandLine = null, ParentCommandLine = null }), Is.EqualTo("dotnet run --project src/ModelZoo.Cli --"), "without /proc");
    }

    [Test]
    public void TheAppHostRunDirectlyIsThatPathAsTyped()
    {
        var facts = new CliInvocation.Facts(ProjectHost, null, Repo, Args, ["./src/ModelZoo.Cli/bin/Debug/net10.0/ModelZoo.Cli", .. Args], ["zsh"]);
        Assert.That(CliInvocation.Describe(facts), Is.EqualTo("./src/ModelZoo.Cli/bin/Debug/net10.0/ModelZoo.Cli"));
        Assert.That(CliInvocation.Describe(new CliInvocation.Facts("/opt/mz/ModelZoo.Cli", null, "/opt", Args, ["/opt/mz/ModelZoo.Cli", .. Args], ["bash"])),
            Is.EqualTo("/opt/mz/ModelZoo.Cli"));
        Assert.That(CliInvocation.Describe(new CliInvocation.Facts("/opt/mz/ModelZoo.Cli", null, "/opt", Args)), Is.EqualTo("mz/ModelZoo.Cli"), "without /proc");
    }

    [Test, Category("NeedsZoo")]
    public void AnInterruptedRunStartedAsADllPrintsThatCommand()
    {
        CliChild.RequireBuilt();
        string run = TinyNets.TempDir();
        var r = CliChild.Run("dotnet", [CliChild.RelativeDll, "train", "--model", "deepcnn", "--data", "mnist-sample", "--epochs", "50", "--max-steps", "3",
            "--threads", "1", "--no-tensorboard", "-o", run], TimeSpan.FromMinutes(5), interruptAfter: "epoch 1:");
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.Terminated), r.All);
        Assert.That(r.StdOut, Does.Contain($"resume with: dotnet {CliChild.RelativeDll} train --resume {run}"));
    }
}
