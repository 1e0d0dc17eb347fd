using System.Diagnostics;
using System.Security.Cryptography;
using ModelZoo.Data;
using ModelZoo.Data.Mnist;

namespace ModelZoo.Tests.Data;

public class DownloadTests
{
    private string _cache = "";
    private byte[] _file = [];
    private DownloadFile _spec = null!;

    [SetUp]
    public void SetUp()
    {
        _cache = Path.Combine(Path.GetTempPath(), "mz-dl-" + Guid.NewGuid().ToString("N"));
        _file = File.ReadAllBytes(Path.Combine(IdxTestFiles.SharedMnist, "t10k-images-idx3-ubyte.gz"));
        _spec = new DownloadFile("t10k-images-idx3-ubyte.gz", _file.Length, Convert.ToHexStringLower(SHA256.HashData(_file)));
    }

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_cache)) Directory.Delete(_cache, recursive: true);
    }

    private DownloadOptions Options(int attempts = 2, int stallMs = 2000) =>
        new(CacheDirectory: _cache, AttemptsPerMirror: attempts, InitialBackoff: TimeSpan.FromMilliseconds(10),
            StallTimeout: TimeSpan.FromMilliseconds(stallMs), OverallTimeout: TimeSpan.FromSeconds(20));

    private string Ensure(DownloadOptions options, params string[] mirrors)
    {
        using var downloader = new FileDownloader(options);
        return downloader.EnsureAsync(_spec, mirrors, _cache).GetAwaiter().GetResult();
    }

    private void AssertGood(string path)
    {
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(_file));
        Assert.That(Directory.GetFiles(_cache, "*.partial"), Is.Empty, "no temp file left behind");
    }

    [Test]
    public void GoodMirrorDownloadsAndVerifiesThenUsesTheCache()
    {
        using var server = new LoopbackHttpServer(r => LoopbackHttpServer.Serve(_file, r));
        string path = Ensure(Options(), server.Url("good"));
        AssertGood(path);
        Assert.That(path, Is.EqualTo(Path.Combine(_cache, _spec.Name)));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
        Ensure(Options(), server.Url("good"));
        Assert.That(server.Requests, Has.Count.EqualTo(1), "a verified cached file is not fetched again");
    }

    [Test]
    public void CorruptMirrorFailsTheChecksumAndTheNextMirrorIsUsed()
    {
        var corrupt = (byte[])_file.Clone();
        corrupt[1000] ^= 0xff;
        using var server = new LoopbackHttpServer(r => r.Path.StartsWith("/corrupt/") ? new(200, corrupt) : LoopbackHttpServer.Serve(_file, r));
        AssertGood(Ensure(Options(), server.Url("corrupt"), server.Url("good")));
        Assert.That(server.Requests.Select(r => r.Path.Split('/')[1]), Is.EqualTo(new[] { "corrupt", "good" }));

        File.Delete(Path.Combine(_cache, _spec.Name));
        var e = Assert.Throws<DatasetDownloadException>(() => Ensure(Options(), server.Url("corrupt")))!;
        Assert.That(e.Message, Does.Contain("SHA-256 mismatch"));
        Assert.That(File.Exists(Path.Combine(_cache, _spec.Name)), Is.False, "a corrupt download never lands in the cache");
    }

    [Test]
    public void CachedFileThatFailsVerificationIsReplaced()
    {
        Directory.CreateDirectory(_cache);
        File.WriteAllBytes(Path.Combine(_cache, _spec.Name), new byte[_file.Length]);
        using var server = new LoopbackHttpServer(r => LoopbackHttpServer.Serve(_file, r));
        AssertGood(Ensure(Options(), server.Url("good")));
    }

    [Test]
    public void TruncatedResponseIsResumedWithARangeRequest()
    {
        int half = _file.Length / 2;
        int calls = 0;
        using var server = new LoopbackHttpServer(r =>
            Interlocked.Increment(ref calls) == 1 ? new(200, _file, SendBytes: half) : LoopbackHttpServer.Serve(_file, r));
        AssertGood(Ensure(Options(), server.Url("flaky")));
        var requests = server.Requests.ToArray();
        Assert.That(requests, Has.Length.EqualTo(2));
        Assert.That(requests[0].RangeStart, Is.Null);
        Assert.That(requests[1].RangeStart, Is.EqualTo(half), "the second attempt resumes where the first stopped");
    }

    [Test]
    public void PartialFileFromAnEarlierRunIsResumed()
    {
        Directory.CreateDirectory(_cache);
        int have = 100_000;
        File.WriteAllBytes(Path.Combine(_cache, _spec.Name + ".partial"), _file[..have]);
        using var server = new LoopbackHttpServer(r => LoopbackHttpServer.Serve(_file, r));
        AssertGood(Ensure(Options(), server.Url("good")));
        Assert.That(server.Requests.Single().RangeStart, Is.EqualTo(have));
    }

    [Test]
    public void ServerIgnoringRangeRestartsFromZero()
    {
        Directory.CreateDirectory(_cache);
        File.WriteAllBytes(Path.Combine(_cache, _spec.Name + ".partial"), new byte[5000]);
        using var server = new LoopbackHttpServer(_ => new(200, _file));
        AssertGood(Ensure(Options(), server.Url("norange")));
    }

    [Test]
    public void StalledServerTimesOutAndIsReported()
    {
        using var server = new LoopbackHttpServer(_ => new(200, _file, SendBytes: 1000, StallAfter: TimeSpan.FromSeconds(30)));
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<DatasetDownloadException>(() => Ensure(Options(attempts: 2, stallMs: 300), server.Url("slow")))!;
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(8)));
        Assert.That(e.Message, Does.Contain("stalled"));
        Assert.That(e.Failures, Has.Count.EqualTo(2));
        Assert.That(server.Requests.Last().RangeStart, Is.EqualTo(1000), "the retry resumes after the bytes received");
    }

    [Test]
    public void ServerErrorIsRetriedWithBackoffAndNotFoundMovesOn()
    {
        int calls = 0;
        using var server = new LoopbackHttpServer(r => r.Path.StartsWith("/missing/")
            ? new(404, [])
            : Interlocked.Increment(ref calls) == 1 ? new(500, []) : LoopbackHttpServer.Serve(_file, r));
        AssertGood(Ensure(Options(attempts: 3), server.Url("missing"), server.Url("flaky")));
        Assert.That(server.Requests.Select(r => r.Path.Split('/')[1]), Is.EqualTo(new[] { "missing", "flaky", "flaky" }),
            "404 is not retried; 500 is retried on the same mirror");
    }

    [Test]
    public void AllMirrorsDownGivesAClearMessageListingTheUrls()
    {
        using var server = new LoopbackHttpServer(r => r.Path.StartsWith("/e500/") ? new(500, []) : new(404, []));
        int closedPort;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        string refused = $"http://127.0.0.1:{closedPort}/mnist/";
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<DatasetDownloadException>(() => Ensure(Options(), server.Url("e500"), server.Url("e404"), refused))!;
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(e, Is.InstanceOf<ModelZooDataException>());
        Assert.That(e.Message, Does.Contain(server.Url("e500") + _spec.Name).And.Contain(server.Url("e404") + _spec.Name).And.Contain(refused + _spec.Name));
        Assert.That(e.Message, Does.Contain("HTTP 500").And.Contain("HTTP 404").And.Contain("--data DIR"));
        Assert.That(e.Failures, Has.Count.EqualTo(2 + 1 + 2));
    }

    [Test]
    public void OverallTimeoutBoundsRetriesAndBackoff()
    {
        using var server = new LoopbackHttpServer(_ => new(500, []));
        var options = Options(attempts: 5) with { InitialBackoff = TimeSpan.FromSeconds(10), OverallTimeout = TimeSpan.FromMilliseconds(500) };
        var watch = Stopwatch.StartNew();
        var e = Assert.Throws<DatasetDownloadException>(() => Ensure(options, server.Url("e500"), server.Url("e500b")))!;
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(4)), "the 10 s back-off is cut short by the overall limit");
        Assert.That(e.Message, Does.Contain("overall timeout"));
        Assert.That(server.Requests, Has.Count.EqualTo(1));
    }

    [Test]
    public void OfflineModeNeverTouchesTheNetwork()
    {
        using var server = new LoopbackHttpServer(r => LoopbackHttpServer.Serve(_file, r));
        var e = Assert.Throws<DatasetDownloadException>(() => Ensure(Options() with { Offline = true }, server.Url("good")))!;
        Assert.That(e.Message, Does.Contain("offline"));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public void WholeFamilyResolvesFromAMirrorThroughDataSpec()
    {
        var files = new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz" }
            .ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(IdxTestFiles.SharedMnist, f)));
        DownloadFile Spec(string f) => new(f, files[f].Length, Convert.ToHexStringLower(SHA256.HashData(files[f])));
        var family = MnistFamily.Mnist with
        {
            Name = "mnist-test",
            TrainImages = Spec("train-images-idx3-ubyte.gz"),
            TrainLabels = Spec("train-labels-idx1-ubyte.gz"),
            TestImages = Spec("t10k-images-idx3-ubyte.gz"),
            TestLabels = Spec("t10k-labels-idx1-ubyte.gz"),
        };
        using var server = new LoopbackHttpServer(r => LoopbackHttpServer.Serve(files[r.Path.Split('/')[^1]], r));
        var split = DataSpec.LoadFamilyAsync(family, new DataOptions(Download: Options() with { Mirrors = [server.Url("m")] })).GetAwaiter().GetResult();
        Assert.That((split.Train.Count, split.Validation.Count, split.Test), Is.EqualTo((8000, 2000, (IImageDataset?)null)));
        Assert.That(File.Exists(Path.Combine(_cache, "mnist-test", "t10k-labels-idx1-ubyte.gz")), Is.True);
    }
}
