using ModelZoo.Hub;
using ModelZoo.Tests.Data;
using ModelZoo.Weights;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Weights;

/// <summary>
/// The weights download cache against a loopback HTTP server serving files Debian's PyTorch wrote at test time: a
/// download lands verified in the cache and is used from there with the server gone; a wrong hash, a mirror serving a
/// different file and a dropped connection never leave a cache entry; redirects are followed; offline never touches the
/// network; a verified copy in PyTorch's hub folder is used in place. Every case has its own temporary cache folders.
/// </summary>
[NonParallelizable]
public class WeightsHubTests
{
    private HubFiles _files = null!;

    [OneTimeSetUp]
    public void MakeFiles() => _files = new HubFiles();

    [OneTimeTearDown]
    public void RemoveFiles() => _files?.Dispose();

    private LoopbackHttpServer Serve(byte[] body) => new(r => LoopbackHttpServer.Serve(body, r));

    [Test]
    public void DownloadIsVerifiedCachedAndThenUsedWithTheServerStopped()
    {
        var options = _files.FreshOptions();
        string url;
        string path;
        var events = new List<DownloadProgress>();
        using (var server = Serve(_files.ResNet18))
        {
            url = server.Url("models") + "resnet18.pth";
            path = WeightsHub.FetchUrl(url, _files.ResNet18Sha, options, new SyncProgress(events.Add));
            Assert.That(server.Requests, Has.Count.EqualTo(1));
        }
        Assert.That(path, Does.StartWith(options.WeightsDirectory));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(_files.ResNet18));
        Assert.That(HubFiles.FilesUnder(options.CacheDirectory), Is.EqualTo(new[] { Path.GetRelativePath(options.CacheDirectory, path) }), "nothing but the file");
        Assert.That(events.First().Stage, Is.EqualTo(DownloadStage.Started));
        Assert.That(events.Last(), Is.EqualTo(new DownloadProgress(DownloadStage.Completed, url, _files.ResNet18.Length, null)));
        Assert.That(events.Where(e => e.Stage == DownloadStage.Downloading).Select(e => e.TotalBytes).Distinct(), Is.EqualTo(new long?[] { _files.ResNet18.Length }), "size from Content-Length");

        // The server is gone: the cached, verified file is used.
        Assert.That(WeightsHub.FetchUrl(url, _files.ResNet18Sha, options), Is.EqualTo(path));
        // And it is read by the safe reader, as torchvision's resnet18 weights.
        using var scope = NewDisposeScope();
        using var model = Zoo.Create("resnet18");
        var loaded = PretrainedWeights.Load(model, path);
        Assert.That(loaded.Loaded, Has.Count.EqualTo(model.state_dict().Count));
    }

    [Test]
    public void WrongHashIsATypedErrorNamingBothHashesAndNothingIsLeftInTheCache()
    {
        var options = _files.FreshOptions();
        string wrong = new('0', 64);
        using var server = Serve(_files.ResNet18);
        string url = server.Url("models") + "resnet18.pth";
        var e = Assert.Throws<WeightsHashMismatchException>(() => WeightsHub.FetchUrl(url, wrong, options))!;
        Assert.That(e.Expected, Is.EqualTo(wrong));
        Assert.That(e.Actual, Is.EqualTo(_files.ResNet18Sha));
        Assert.That(e.Url, Is.EqualTo(url));
        Assert.That(e.Message, Does.Contain(wrong).And.Contain(_files.ResNet18Sha).And.Contain(url));
        Assert.That(HubFiles.FilesUnder(options.CacheDirectory), Is.Empty, "neither the file nor a partial download stays");

        // A known entry: the message names the weights.
        var entry = _files.Entry(url) with { Sha256 = "deadbeef" };
        var named = Assert.Throws<WeightsHashMismatchException>(() => WeightsHub.Fetch(entry, options))!;
        Assert.That(named.Weights, Is.EqualTo("resnet18.test_in1k"));
        Assert.That(named.Message, Does.Contain("resnet18.test_in1k").And.Contain("deadbeef").And.Contain(_files.ResNet18Sha));
        Assert.That(HubFiles.FilesUnder(options.CacheDirectory), Is.Empty);
    }

    [Test]
    public void ConnectionDroppedMidFileIsResumedWithARangeRequest()
    {
        var options = _files.FreshOptions();
        int half = _files.ResNet18.Length / 2, calls = 0;
        using var server = new LoopbackHttpServer(r => Interlocked.Increment(ref calls) == 1
            ? new LoopbackHttpServer.Reply(200, _files.ResNet18, SendBytes: half)
            : LoopbackHttpServer.Serve(_files.ResNet18, r));
        string path = WeightsHub.Fetch(_files.Entry(server.Url("models") + "resnet18.pth") with { Size = null }, options);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(_files.ResNet18));
        Assert.That(server.Requests.Select(r => r.RangeStart), Is.EqualTo(new long?[] { null, half }), "the second request resumes where the first stopped");
    }

    [Test]
    public void ConnectionDroppedMidFileEveryTimeFailsWithoutACacheEntry()
    {
        var options = _files.FreshOptions();
        int half = _files.ResNet18.Length / 2;
        // A server that ignores Range and always drops the connection half-way.
        using var server = new LoopbackHttpServer(_ => new LoopbackHttpServer.Reply(200, _files.ResNet18, SendBytes: half));
        var entry = _files.Entry(server.Url("models") + "resnet18.pth") with { Size = null };
        var e = Assert.Throws<WeightsDownloadException>(() => WeightsHub.Fetch(entry, options))!;
        Assert.That(e, Is.Not.InstanceOf<WeightsHashMismatchException>());
        Assert.That(e.Message, Does.Contain("(attempt 2)").And.Contain("resnet18.test_in1k"));
        Assert.That(e.Failures, Has.Count.EqualTo(options.Attempts));
        Assert.That(File.Exists(WeightsHub.CachePath(entry, options)), Is.False, "a short file never gets the final name");
    }

    [Test]
    public void RedirectsAreFollowed()
    {
        var options = _files.FreshOptions();
        using var server = new LoopbackHttpServer(r => r.Path.StartsWith("/old/", StringComparison.Ordinal)
            ? LoopbackHttpServer.Redirect("/new/" + r.Path.Split('/')[^1])
            : LoopbackHttpServer.Serve(_files.ResNet18, r));
        string path = WeightsHub.FetchUrl(server.Url("old") + _files.HubName, options: options);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(_files.ResNet18));
        Assert.That(server.Requests.Select(r => r.Path), Is.EqualTo(new[] { "/old/" + _files.HubName, "/new/" + _files.HubName }));
        Assert.That(Path.GetFileName(path), Is.EqualTo(_files.HubName), "checked against the hash prefix in its name, kept under that name");
    }

    [Test]
    public void OfflineWithAnEmptyCacheNeverTouchesTheNetworkAndSaysWhereToPlaceTheFile()
    {
        using var server = Serve(_files.ResNet18);
        var options = _files.FreshOptions(mirror: server.Url("mirror"), offline: true);
        var known = WeightsHub.Find("resnet18");
        var e = Assert.Throws<WeightsDownloadException>(() => WeightsHub.Fetch(known, options))!;
        Assert.That(server.Requests, Is.Empty);
        Assert.That(e.Message, Does.Contain("MODELZOO_OFFLINE").And.Contain("resnet18.tv_in1k").And.Contain("resnet18-f37072fd.pth")
            .And.Contain(options.WeightsDirectory).And.Contain(options.TorchCheckpointsDirectory!).And.Contain("https://download.pytorch.org/models/resnet18-f37072fd.pth"));
        Assert.That(HubFiles.FilesUnder(options.CacheDirectory), Is.Empty);

        // Offline still uses what is cached.
        var entry = _files.Entry(server.Url("models") + "resnet18.pth");
        Directory.CreateDirectory(options.WeightsDirectory);
        File.Copy(_files.ResNet18File, WeightsHub.CachePath(entry, options));
        Assert.That(WeightsHub.Fetch(entry, options), Is.EqualTo(WeightsHub.CachePath(entry, options)));
        Assert.That(server.Requests, Is.Empty);
    }

    [Test]
    public void MirrorIsAskedForTheKnownFileNameAndTheKnownHashStillDecides()
    {
        var random = new byte[1 << 20];
        new Random(7).NextBytes(random);
        using var server = Serve(random);
        var options = _files.FreshOptions(mirror: server.Url("mirror"));
        var known = WeightsHub.Find("resnet18.tv_in1k");
        var e = Assert.Throws<WeightsHashMismatchException>(() => WeightsHub.Fetch(known, options))!;
        Assert.That(server.Requests.Select(r => r.Path).Distinct(), Is.EqualTo(new[] { "/mirror/resnet18-f37072fd.pth" }));
        Assert.That(e.Expected, Is.EqualTo("f37072fd"));
        Assert.That(e.Actual, Does.Not.StartWith("f37072fd"));
        Assert.That(e.Weights, Is.EqualTo("resnet18.tv_in1k"));
        Assert.That(HubFiles.FilesUnder(options.CacheDirectory), Is.Empty, "the random file never enters the cache");

        // A mirror that is a local folder (file://) serves the right file.
        string folder = Path.Combine(_files.Root, "mirror-folder");
        Directory.CreateDirectory(folder);
        File.Copy(_files.ResNet18File, Path.Combine(folder, _files.HubName), overwrite: true);
        var local = _files.FreshOptions(mirror: folder);
        var entry = _files.Entry("https://example.invalid/models/" + _files.HubName);
        string path = WeightsHub.Fetch(entry, local);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(_files.ResNet18));
    }

    [Test]
    public void AVerifiedCopyInTorchHomeIsUsedInPlaceAndABadOneIsIgnored()
    {
        using var server = Serve(_files.ResNet18);
        var options = _files.FreshOptions();
        string torchCopy = Path.Combine(options.TorchCheckpointsDirectory!, _files.HubName);
        Directory.CreateDirectory(options.TorchCheckpointsDirectory!);
        File.Copy(_files.ResNet18File, torchCopy);
        string url = server.Url("models") + _files.HubName;
        Assert.That(WeightsHub.FetchUrl(url, options: options), Is.EqualTo(torchCopy), "used in place");
        Assert.That(server.Requests, Is.Empty, "nothing downloaded twice");
        Assert.That(HubFiles.FilesUnder(options.CacheDirectory), Is.Empty);

        // A copy that fails the hash is left alone (it is PyTorch's) and the file is downloaded into ModelZoo's cache.
        var damaged = (byte[])_files.ResNet18.Clone();
        damaged[^100] ^= 0xff;
        File.WriteAllBytes(torchCopy, damaged);
        string path = WeightsHub.FetchUrl(url, options: options);
        Assert.That(path, Does.StartWith(options.WeightsDirectory));
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(_files.ResNet18));
        Assert.That(File.ReadAllBytes(torchCopy), Is.EqualTo(damaged));
    }

    [Test]
    public void ACorruptCacheEntryIsReplacedAndAPartialFromAnEarlierRunIsResumed()
    {
        using var server = Serve(_files.ResNet18);
        var options = _files.FreshOptions();
        var entry = _files.Entry(server.Url("models") + "resnet18.pth");
        string cached = WeightsHub.CachePath(entry, options);
        Directory.CreateDirectory(options.WeightsDirectory);
        File.WriteAllBytes(cached, new byte[_files.ResNet18.Length]);
        Assert.That(File.ReadAllBytes(WeightsHub.Fetch(entry, options)), Is.EqualTo(_files.ResNet18));

        File.Delete(cached);
        int have = 1_000_000;
        File.WriteAllBytes(cached + ".partial", _files.ResNet18[..have]);
        Assert.That(File.ReadAllBytes(WeightsHub.Fetch(entry, options)), Is.EqualTo(_files.ResNet18));
        Assert.That(server.Requests.Last().RangeStart, Is.EqualTo(have));
    }

    [Test]
    public void AUrlWithoutAHashIsRefusedBeforeAnythingIsDownloaded()
    {
        using var server = Serve(_files.ResNet18);
        var options = _files.FreshOptions();
        var e = Assert.Throws<WeightsDownloadException>(() => WeightsHub.FetchUrl(server.Url("models") + "resnet18.pth", options: options))!;
        Assert.That(e.Message, Does.Contain("no SHA-256").And.Contain("--sha256"));
        Assert.That(server.Requests, Is.Empty);
        Assert.Throws<ArgumentException>(() => WeightsHub.FetchUrl(server.Url("models") + "resnet18.pth", "not-hex", options));
        Assert.Throws<ArgumentException>(() => WeightsHub.FetchUrl("ftp://example.invalid/x.pth", new string('a', 64), options));
    }

    [Test]
    public void TwoDownloadsOfOneFileAtOnceTakeTurnsOnTheLock()
    {
        // Two downloaders in one process behave as two processes would: each opens the lock file itself
        // (WeightsProcessTests runs the same with two real processes).
        using var server = new LoopbackHttpServer(r => LoopbackHttpServer.Serve(_files.ResNet18, r) with { ChunkDelay = TimeSpan.FromMilliseconds(2) });
        var options = _files.FreshOptions();
        var entry = _files.Entry(server.Url("models") + "resnet18.pth");
        var waited = new List<DownloadProgress>();
        var a = Task.Run(() => WeightsHub.FetchAsync(entry, options));
        var b = Task.Run(() => WeightsHub.FetchAsync(entry, options, new SyncProgress(p => { if (p.Stage == DownloadStage.WaitingForOtherProcess) lock (waited) waited.Add(p); })));
        Task.WaitAll(a, b);
        Assert.That(a.Result, Is.EqualTo(b.Result));
        Assert.That(File.ReadAllBytes(a.Result), Is.EqualTo(_files.ResNet18));
        Assert.That(server.Requests, Has.Count.EqualTo(1), "the second waited for the first and found its file");
        Assert.That(HubFiles.FilesUnder(options.CacheDirectory), Has.Count.EqualTo(1));
    }

    [Test]
    public void EnvironmentRulesForCacheTorchHubMirrorAndOffline()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        HubOptions From(params (string Key, string Value)[] vars) => HubOptions.FromEnvironment(k => vars.FirstOrDefault(v => v.Key == k).Value);
        var none = From();
        Assert.That(none.CacheDirectory, Is.EqualTo(Path.Combine(home, ".cache", "modelzoo")));
        Assert.That(none.WeightsDirectory, Is.EqualTo(Path.Combine(home, ".cache", "modelzoo", "weights")));
        Assert.That(none.TorchCheckpointsDirectory, Is.EqualTo(Path.Combine(home, ".cache", "torch", "hub", "checkpoints")));
        Assert.That((none.Mirror, none.Offline), Is.EqualTo(((string?)null, false)));
        var xdg = From(("XDG_CACHE_HOME", "/xdg"));
        Assert.That((xdg.CacheDirectory, xdg.TorchHubDirectory), Is.EqualTo(("/xdg/modelzoo", "/xdg/torch/hub")));
        var set = From(("XDG_CACHE_HOME", "/xdg"), ("MODELZOO_HOME", "/old"), ("MODELZOO_CACHE", "/mz"), ("TORCH_HOME", "/th"),
            ("MODELZOO_WEIGHTS_MIRROR", "https://mirror.example/w/"), ("MODELZOO_OFFLINE", "1"));
        Assert.That((set.CacheDirectory, set.TorchCheckpointsDirectory, set.Mirror, set.Offline), Is.EqualTo(("/mz", "/th/hub/checkpoints", "https://mirror.example/w/", true)));
        Assert.That(From(("MODELZOO_HOME", "/old")).CacheDirectory, Is.EqualTo("/old"), "the older variable still works");
        foreach (var on in new[] { "1", "true", "YES" }) Assert.That(From(("MODELZOO_OFFLINE", on)).Offline, Is.True, on);
        foreach (var off in new[] { "0", "", "no" }) Assert.That(From(("MODELZOO_OFFLINE", off)).Offline, Is.False, off);
    }

    [Test]
    public void ZooCreateLoadsNamedWeightsAndReplacesTheHeadForOtherClasses()
    {
        using var server = Serve(_files.ResNet18);
        var options = _files.FreshOptions();
        WeightsHub.OptionsOverride.Value = options;
        WeightsHub.ExtraEntries.Value = [_files.Entry(server.Url("models") + "resnet18.pth")];
        try
        {
            using var scope = NewDisposeScope();
            var file = PretrainedWeights.Read(_files.ResNet18File);
            using var model = Zoo.Create("resnet18", new ModelOptions { Weights = "resnet18.test_in1k" });
            foreach (var (key, value) in model.state_dict())
                Assert.That(value.equal(file[key]).all().item<bool>(), Is.True, key);
            Assert.That(server.Requests, Has.Count.EqualTo(1));

            // Ten classes: a fresh fc, everything else as downloaded (from the cache now); grey input: conv1 summed over RGB.
            using var ten = Zoo.Create("resnet18", new ModelOptions { Weights = "test_in1k", NumClasses = 10, InChannels = 1 });
            var sd = ten.state_dict();
            Assert.That(sd["fc.weight"].shape, Is.EqualTo(new long[] { 10, 512 }));
            Assert.That(sd["layer4.1.bn2.running_var"].equal(file["layer4.1.bn2.running_var"]).all().item<bool>(), Is.True);
            Assert.That(sd["conv1.weight"].allclose(file["conv1.weight"].sum(1, keepdim: true)), Is.True);
            Assert.That(server.Requests, Has.Count.EqualTo(1), "cached");

            Assert.Throws<ArgumentException>(() => Zoo.Create("resnet34", new ModelOptions { Weights = "resnet18.test_in1k" }), "another model's weights");
            Assert.Throws<UnknownWeightsException>(() => Zoo.Create("resnet18", new ModelOptions { Weights = "nosuch_tag" }));
            foreach (var t in file.Values) t.Dispose();
        }
        finally
        {
            WeightsHub.OptionsOverride.Value = null;
            WeightsHub.ExtraEntries.Value = null;
        }
    }

    [Test]
    public void LegacyTorchSaveFilesAreReadSafely()
    {
        // torchvision's VGG and GoogLeNet files are in torch.save's format before PyTorch 1.6.
        string dir = Path.GetDirectoryName(_files.ResNet18File)!;
        using var scope = NewDisposeScope();
        var zip = PretrainedWeights.Read(_files.ResNet18File);
        var legacy = PretrainedWeights.Read(Path.Combine(dir, "resnet18.legacy.pth"));
        Assert.That(legacy.Keys, Is.EqualTo(zip.Keys), "same keys, same order");
        foreach (var (key, value) in zip)
        {
            Assert.That(legacy[key].dtype, Is.EqualTo(value.dtype), key);
            Assert.That(legacy[key].equal(value).all().item<bool>(), Is.True, key);
        }

        var e = Assert.Throws<WeightsFileException>(() => PretrainedWeights.Read(Path.Combine(dir, "hostile.legacy.pth")))!;
        Assert.That(e.Message, Does.Contain("hostile.legacy.pth").And.Contain("system").And.Contain("nothing was executed"));
        Assert.That(File.Exists(_files.Marker), Is.False);

        byte[] bytes = File.ReadAllBytes(Path.Combine(dir, "resnet18.legacy.pth"));
        string cut = Path.Combine(_files.NewDirectory("legacy"), "cut.pth"), extra = Path.Combine(Path.GetDirectoryName(cut)!, "extra.pth");
        File.WriteAllBytes(cut, bytes[..^10]);
        Assert.That(Assert.Throws<WeightsFileException>(() => PretrainedWeights.Read(cut))!.Message, Does.Contain("runs past the end of the file"));
        File.WriteAllBytes(extra, [.. bytes, 1, 2, 3]);
        Assert.That(Assert.Throws<WeightsFileException>(() => PretrainedWeights.Read(extra))!.Message, Does.Contain("3 bytes after its last storage"));
        File.WriteAllBytes(cut, bytes[..200]);
        Assert.That(Assert.Throws<WeightsFileException>(() => PretrainedWeights.Read(cut))!.Message, Does.Contain("cut.pth"));
        foreach (var t in zip.Values.Concat(legacy.Values)) t.Dispose();
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread (Progress&lt;T&gt; posts asynchronously).</summary>
    private sealed class SyncProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
