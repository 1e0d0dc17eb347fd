using System.Diagnostics;
using ModelZoo.Tests.Data;

namespace ModelZoo.Tests.Weights;

/// <summary>
/// <c>modelzoo weights download</c> as separate processes, with the environment variables a user sets: two processes
/// downloading one file at once (two shells, two <c>mpirun</c> ranks), a process killed mid-download and run again,
/// <c>MODELZOO_OFFLINE=1</c> with an empty cache, <c>MODELZOO_WEIGHTS_MIRROR</c> on a known name, and a verified
/// file under <c>TORCH_HOME</c>. <c>MODELZOO_CACHE</c> and <c>TORCH_HOME</c> always point at temporary folders.
/// </summary>
[NonParallelizable]
public class WeightsProcessTests
{
    private static string Cli => Path.Combine(TestPaths.RepoRoot, "src", "ModelZoo.Cli", "bin", "Release", "net10.0", "ModelZoo.Cli.dll");

    private HubFiles _files = null!;

    [OneTimeSetUp]
    public void MakeFiles()
    {
        Assert.That(File.Exists(Cli), Is.True, $"{Cli} is built with the tests");
        _files = new HubFiles();
    }

    [OneTimeTearDown]
    public void RemoveFiles() => _files?.Dispose();

    private (string Cache, string TorchHome, Dictionary<string, string?> Env) Environment(string? mirror = null, bool offline = false)
    {
        string dir = _files.NewDirectory("proc");
        string cache = Path.Combine(dir, "modelzoo"), torch = Path.Combine(dir, "torch");
        return (cache, torch, new Dictionary<string, string?>
        {
            ["MODELZOO_CACHE"] = cache, ["TORCH_HOME"] = torch, ["MODELZOO_HOME"] = "", ["XDG_CACHE_HOME"] = dir,
            ["MODELZOO_WEIGHTS_MIRROR"] = mirror ?? "", ["MODELZOO_OFFLINE"] = offline ? "1" : "",
        });
    }

    private static ProcessRunner.Result Run(Dictionary<string, string?> env, params string[] args) =>
        ProcessRunner.Run("dotnet", [Cli, .. args], Path.GetTempPath(), TimeSpan.FromMinutes(3), env);

    [Test]
    public void TwoProcessesDownloadingOneFileAtOnceEndWithOneVerifiedCopy()
    {
        using var server = new LoopbackHttpServer(r => LoopbackHttpServer.Serve(_files.ResNet18, r) with { ChunkDelay = TimeSpan.FromMilliseconds(15) });
        var (cache, _, env) = Environment();
        string url = server.Url("models") + "resnet18.pth";
        var runs = Enumerable.Range(0, 2).Select(_ => Task.Run(() => Run(env, "weights", "download", url, "--sha256", _files.ResNet18Sha))).ToArray();
        Task.WaitAll(runs);
        foreach (var r in runs.Select(t => t.Result)) Assert.That(r.ExitCode, Is.EqualTo(0), r.All);
        var paths = runs.Select(t => t.Result.StdOut.Trim()).Distinct().ToList();
        Assert.That(paths, Has.Count.EqualTo(1), "both print the same cached path");
        Assert.That(File.ReadAllBytes(paths[0]), Is.EqualTo(_files.ResNet18));
        Assert.That(HubFiles.FilesUnder(cache), Has.Count.EqualTo(1), "one file, no partial left");
        Assert.That(server.Requests.Count(r => r.RangeStart is null), Is.EqualTo(1), "one process downloaded; the other waited and used its file");
        Assert.That(runs.Select(t => t.Result.StdErr), Has.Some.Contains("another process is downloading it; waiting"));
    }

    [Test]
    public void AProcessKilledMidDownloadLeavesNoCacheEntryAndTheNextRunResumes()
    {
        int half = _files.ResNet18.Length / 2;
        bool stall = true;
        using var server = new LoopbackHttpServer(r => stall
            ? new LoopbackHttpServer.Reply(200, _files.ResNet18, SendBytes: half, StallAfter: TimeSpan.FromMinutes(2))
            : LoopbackHttpServer.Serve(_files.ResNet18, r));
        var (cache, _, env) = Environment();
        string url = server.Url("models") + "resnet18.pth";
        string final = Path.Combine(cache, "weights", "sha256-" + _files.ResNet18Sha, "resnet18.pth");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Cli, "weights", "download", url, "--sha256", _files.ResNet18Sha }) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using (var p = Process.Start(psi)!)
        {
            var watch = Stopwatch.StartNew();
            while (!(File.Exists(final + ".partial") && new FileInfo(final + ".partial").Length >= half) && watch.Elapsed < TimeSpan.FromMinutes(2) && !p.HasExited)
                Thread.Sleep(50);
            Assert.That(p.HasExited, Is.False, "still downloading");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        Assert.That(File.Exists(final), Is.False, "a killed download never has the final name");

        stall = false;
        var again = Run(env, "weights", "download", url, "--sha256", _files.ResNet18Sha);
        Assert.That(again.ExitCode, Is.EqualTo(0), again.All);
        Assert.That(again.StdOut.Trim(), Is.EqualTo(final));
        Assert.That(File.ReadAllBytes(final), Is.EqualTo(_files.ResNet18));
        Assert.That(server.Requests.Last().RangeStart, Is.EqualTo(half), "resumed where the killed process stopped (its lock died with it)");
        Assert.That(again.StdErr, Does.Contain("resuming at"));
    }

    [Test]
    public void OfflineWithAnEmptyCacheSaysWhichFileToPlaceWhere()
    {
        using var server = new LoopbackHttpServer(r => LoopbackHttpServer.Serve(_files.ResNet18, r));
        var (cache, torch, env) = Environment(mirror: server.Url("mirror"), offline: true);
        var r = Run(env, "weights", "download", "resnet50");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.All);
        Assert.That(r.StdErr, Does.Contain("MODELZOO_OFFLINE").And.Contain("resnet50-11ad3fa6.pth")
            .And.Contain(Path.Combine(cache, "weights")).And.Contain(Path.Combine(torch, "hub", "checkpoints")));
        Assert.That(server.Requests, Is.Empty, "no network, not even the mirror");
        Assert.That(HubFiles.FilesUnder(cache), Is.Empty);
    }

    [Test]
    public void TheMirrorVariableFetchesAKnownFileByNameAndItsKnownHashStillDecides()
    {
        var random = new byte[2 << 20];
        new Random(25).NextBytes(random);
        using var server = new LoopbackHttpServer(r => LoopbackHttpServer.Serve(random, r));
        var (cache, _, env) = Environment(mirror: server.Url("mirror"));
        var r = Run(env, "weights", "download", "resnet18");
        Assert.That(r.ExitCode, Is.EqualTo(1), r.All);
        Assert.That(server.Requests.Select(q => q.Path).Distinct(), Is.EqualTo(new[] { "/mirror/resnet18-f37072fd.pth" }));
        Assert.That(r.StdErr, Does.Contain("resnet18.tv_in1k").And.Contain("SHA-256 mismatch").And.Contain("f37072fd"));
        Assert.That(HubFiles.FilesUnder(cache), Is.Empty, "the mirror's wrong file never enters the cache");
    }

    [Test]
    public void AVerifiedFileUnderTorchHomeIsUsedInPlace()
    {
        using var server = new LoopbackHttpServer(r => LoopbackHttpServer.Serve(_files.ResNet18, r));
        var (cache, torch, env) = Environment();
        string copy = Path.Combine(torch, "hub", "checkpoints", _files.HubName);
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        File.Copy(_files.ResNet18File, copy);
        var r = Run(env, "weights", "download", server.Url("models") + _files.HubName);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.All);
        Assert.That(r.StdOut.Trim(), Is.EqualTo(copy));
        Assert.That(server.Requests, Is.Empty);
        Assert.That(HubFiles.FilesUnder(cache), Is.Empty);
    }
}
