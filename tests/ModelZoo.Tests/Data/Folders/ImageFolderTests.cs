using System.Diagnostics;
using ModelZoo.Data.Folders;
using ModelZoo.Data.Imaging;

namespace ModelZoo.Tests.Data.Folders;

public class ImageFolderTests
{
    private readonly List<string> _temp = [];

    [TearDown]
    public void Cleanup()
    {
        foreach (var d in _temp)
        {
            try { Directory.Delete(d, true); } catch (IOException) { }
        }

        _temp.Clear();
    }

    private string NewDir(string name)
    {
        var d = ImageTestData.TempDir(name);
        _temp.Add(d);
        return d;
    }

    /// <summary>Copies <paramref name="perClass"/> real JPEGs into each named class folder under <paramref name="root"/>.</summary>
    private static void Fill(string root, IEnumerable<string> classes, int perClass, int offset = 0)
    {
        var jpegs = ImageTestData.RealJpegs();
        int k = offset;
        foreach (var c in classes)
        {
            Directory.CreateDirectory(Path.Combine(root, c));
            for (int i = 0; i < perClass; i++, k++)
                File.Copy(jpegs[k % jpegs.Length], Path.Combine(root, c, $"img{i:D3}.JPEG"));
        }
    }

    [Test]
    public void RealTrainValLayoutLoads()
    {
        ImageTestData.RequireImagenette();
        var r = ImageFolder.Load(ImageTestData.Imagenette);
        Assert.Multiple(() =>
        {
            Assert.That(r.HasTrainValFolders, Is.True);
            Assert.That(r.ClassNames, Has.Count.EqualTo(10));
            Assert.That(r.ClassNames, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(r.Train.Count, Is.EqualTo(300));
            Assert.That(r.Val!.Count, Is.EqualTo(100));
            Assert.That(r.Train.ClassCounts(), Is.All.EqualTo(30));
            Assert.That(r.Skipped, Is.Empty);
            Assert.That(r.Train.LabelOf(0), Is.EqualTo(0));
            Assert.That(r.Train.Describe(299), Does.Contain(r.ClassNames[9]));
        });
        var s = r.Train.Get(42);
        Assert.That((s.Image.Channels, s.Image.Height, s.Image.Width), Is.EqualTo((3, 224, 224)));
        Assert.That(s.Label, Is.EqualTo(1));
    }

    [Test]
    public void ClassOrderIsOrdinalOfNfcNames()
    {
        string root = NewDir("order");
        // "e" + combining acute (NFD) must become U+00E9 and sort after ASCII.
        Fill(root, ["b", "a", "Z", "e\u0301te", "10", "9"], 1);
        var classes = ImageFolder.ScanClasses(root);
        Assert.That(classes.Keys, Is.EqualTo(new[] { "10", "9", "Z", "a", "b", "\u00e9te" }));
        var r = ImageFolder.Load(root, new ImageFolderOptions { ValSplit = 0 });
        Assert.That(r.ClassNames[5], Is.EqualTo("\u00e9te"));
        Assert.That(r.Val, Is.Null);
    }

    [Test]
    public void NfcCollisionIsAnError()
    {
        string root = NewDir("nfc");
        Fill(root, ["\u00e9", "e\u0301"], 1);
        Assert.Throws<ImageFolderException>(() => ImageFolder.ScanClasses(root));
    }

    [Test]
    public void HiddenAndJunkFilesAreSkipped()
    {
        string root = NewDir("junk");
        Fill(root, ["cat", "dog"], 2);
        Directory.CreateDirectory(Path.Combine(root, ".hidden-class"));
        File.WriteAllText(Path.Combine(root, ".hidden-class", "x.jpg"), "junk");
        Directory.CreateDirectory(Path.Combine(root, "cat", ".git"));
        File.WriteAllText(Path.Combine(root, "cat", ".git", "y.jpg"), "junk");
        Directory.CreateDirectory(Path.Combine(root, "__MACOSX"));
        foreach (var junk in new[] { "._img000.JPEG", "Thumbs.db", "desktop.ini", ".DS_Store", "notes.txt" })
            File.WriteAllText(Path.Combine(root, "cat", junk), "junk");
        var r = ImageFolder.Load(root, new ImageFolderOptions { ValSplit = 0 });
        Assert.That(r.ClassNames, Is.EqualTo(new[] { "cat", "dog" }));
        Assert.That(r.Train.Count, Is.EqualTo(4));
        Assert.That(r.Train.Paths.Select(Path.GetFileName), Is.All.StartWith("img"));
    }

    [Test]
    public void EmptyClassFolderIsAnErrorNamingIt()
    {
        string root = NewDir("empty");
        Fill(root, ["cat", "dog"], 2);
        Directory.CreateDirectory(Path.Combine(root, "fish"));
        File.WriteAllText(Path.Combine(root, "fish", "Thumbs.db"), "junk");
        var ex = Assert.Throws<ImageFolderException>(() => ImageFolder.Load(root))!;
        Assert.That(ex.Message, Does.Contain("fish"));
        Assert.That(ex.Path, Does.EndWith("fish"));
    }

    [Test]
    public void TrainAndValClassSetsMustMatch()
    {
        string root = NewDir("mismatch");
        Fill(Path.Combine(root, "train"), ["cat", "dog"], 1);
        Fill(Path.Combine(root, "val"), ["cat", "cow"], 1);
        var ex = Assert.Throws<ImageFolderException>(() => ImageFolder.Load(root))!;
        Assert.That(ex.Message, Does.Contain("dog").And.Contain("cow"));
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "creating symbolic links needs extra privileges on Windows")]
    public void SymlinkLoopsDoNotHang()
    {
        string root = NewDir("links");
        Fill(root, ["cat", "dog"], 2);
        File.CreateSymbolicLink(Path.Combine(root, "cat", "loop"), Path.Combine(root, "cat"));
        File.CreateSymbolicLink(Path.Combine(root, "cat", "up"), root);
        File.CreateSymbolicLink(Path.Combine(root, "dog", "cat-link.JPEG"), Path.Combine(root, "cat", "img000.JPEG"));
        Directory.CreateSymbolicLink(Path.Combine(root, "linked-class"), Path.Combine(root, "dog"));

        var sw = Stopwatch.StartNew();
        var plain = ImageFolder.Load(root, new ImageFolderOptions { ValSplit = 0 });
        Assert.That(plain.ClassNames, Is.EqualTo(new[] { "cat", "dog" }), "links not followed by default");
        Assert.That(plain.Train.Count, Is.EqualTo(4));

        var followed = ImageFolder.Load(root, new ImageFolderOptions { ValSplit = 0, FollowSymlinks = true });
        sw.Stop();
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(followed.ClassNames, Is.EqualTo(new[] { "cat", "dog", "linked-class" }));
        // cat: its 2 files (the loop and the link to the root are not entered again); dog: 2 + the file link;
        // linked-class: the same 3 files as dog.
        Assert.That(followed.Train.ClassCounts(), Is.EqualTo(new[] { 2, 3, 3 }));
    }

    [Test]
    public void ValSplitIsStratifiedAndSeeded()
    {
        string root = NewDir("split");
        Fill(root, ["a", "b", "c"], 10);
        var o = new ImageFolderOptions { ValSplit = 0.2, Seed = 7, Preflight = false };
        var r1 = ImageFolder.Load(root, o);
        var r2 = ImageFolder.Load(root, o);
        var r3 = ImageFolder.Load(root, o with { Seed = 8 });
        Assert.Multiple(() =>
        {
            Assert.That(r1.HasTrainValFolders, Is.False);
            Assert.That(r1.Val!.ClassCounts(), Is.EqualTo(new[] { 2, 2, 2 }));
            Assert.That(r1.Train.ClassCounts(), Is.EqualTo(new[] { 8, 8, 8 }));
            Assert.That(r1.Val.Paths, Is.EqualTo(r2.Val!.Paths), "same seed, same split");
            Assert.That(r1.Val.Paths, Is.Not.EqualTo(r3.Val!.Paths), "another seed, another split");
            Assert.That(r1.Train.Paths.Intersect(r1.Val.Paths), Is.Empty);
            Assert.That(r1.Train.Count + r1.Val.Count, Is.EqualTo(30));
        });
    }

    [Test]
    public void GreyscaleJpegsComeOutRgbWithEqualChannels()
    {
        var grey = ImageTestData.RealJpegs("train").Concat(ImageTestData.RealJpegs("val"))
            .Where(p => ImageTestData.JpegComponents(File.ReadAllBytes(p)) == 1).ToList();
        Assert.That(grey, Has.Count.EqualTo(7), "imagenette-mini has 7 greyscale JPEGs");
        using var rgb = new SafeImageDecoder(new ImageDecodeOptions(3));
        using var mono = new SafeImageDecoder(new ImageDecodeOptions(1));
        foreach (var p in grey)
        {
            var img = rgb.Decode(p);
            Assert.That(img.Channels, Is.EqualTo(3));
            int plane = img.Height * img.Width;
            for (int i = 0; i < plane; i++)
            {
                if (img.Data[i] != img.Data[i + plane] || img.Data[i] != img.Data[i + 2 * plane])
                    Assert.Fail($"{p}: R, G, B differ at pixel {i}");
            }

            var one = mono.Decode(p);
            Assert.That(one.Channels, Is.EqualTo(1));
            Assert.That(one.Data, Is.EqualTo(img.Data[..plane]), "luma of a grey pixel is the grey value");
        }
    }

    [Test]
    public void OneChannelModeGivesLuma()
    {
        ImageTestData.RequireImagenette();
        var r = ImageFolder.Load(ImageTestData.Imagenette, new ImageFolderOptions { Channels = 1, Preflight = false });
        Assert.That(r.Train.Channels, Is.EqualTo(1));
        var grey = r.Train.Get(0).Image;
        var colour = ImageTestData.RealImage(0);
        Assert.That(grey.Channels, Is.EqualTo(1));
        int plane = grey.Height * grey.Width;
        for (int i = 0; i < plane; i += 97)
        {
            float luma = 0.299f * colour.Data[i] + 0.587f * colour.Data[i + plane] + 0.114f * colour.Data[i + 2 * plane];
            Assert.That(grey.Data[i], Is.EqualTo(luma).Within(1.0 / 255 + 1e-4));
        }
    }

    [Test]
    public void BadImageFailPolicyNamesTheFile()
    {
        string root = NewDir("fail");
        Fill(root, ["a", "b"], 5);
        string bad = Path.Combine(root, "b", "img002.JPEG");
        File.WriteAllText(bad, "<html>not found</html>");
        var ex = Assert.Throws<BadImageException>(() => ImageFolder.Load(root))!;
        Assert.That(ex.Path, Is.EqualTo(bad));
        Assert.That(ex.Message, Does.Contain(bad).And.Contain("HTML"));
    }

    [Test]
    public void BadImageSkipPolicyRecordsAndEnforcesTheLimit()
    {
        string root = NewDir("skip");
        Fill(root, ["a", "b"], 10);
        string bad = Path.Combine(root, "a", "img003.JPEG");
        byte[] real = File.ReadAllBytes(bad);
        File.WriteAllBytes(bad, real[..(real.Length / 2)]);

        // 1 of 20 = 5% bad: over the default 1% limit, an error even when skipping.
        var over = Assert.Throws<ImageFolderException>(() => ImageFolder.Load(root, new ImageFolderOptions { OnBadImage = OnBadImage.Skip }))!;
        Assert.That(over.Message, Does.Contain("1 of 20").And.Contain(bad));

        var r = ImageFolder.Load(root, new ImageFolderOptions { OnBadImage = OnBadImage.Skip, MaxBadFraction = 0.1, ValSplit = 0.1 });
        Assert.That(r.Skipped, Has.Count.EqualTo(1));
        Assert.That(r.Skipped[0].Path, Is.EqualTo(bad));
        Assert.That(r.Skipped[0].Reason, Does.Contain("truncated"));
        Assert.That(r.Train.Count + r.Val!.Count, Is.EqualTo(19));
        Assert.That(r.Train.Paths.Concat(r.Val.Paths), Does.Not.Contain(bad));
    }

    [Test]
    public void FileThatGoesBadDuringTrainingIsATypedError()
    {
        string root = NewDir("goes-bad");
        Fill(root, ["a", "b"], 3);
        var ds = ImageFolder.LoadSingle(root);
        int index = 4;
        string path = ds.Describe(index);
        File.WriteAllBytes(path, []);
        var ex = Assert.Throws<BadImageException>(() => ds.Get(index))!;
        Assert.That(ex.Path, Is.EqualTo(path));
        File.Delete(path);
        Assert.That(Assert.Throws<BadImageException>(() => ds.Get(index))!.Message, Does.Contain(path));
    }

    [Test]
    public void ConcurrentGetIsSafeAndDeterministic()
    {
        ImageTestData.RequireImagenette();
        var ds = ImageFolder.LoadSingle(Path.Combine(ImageTestData.Imagenette, "val"), new ImageFolderOptions { Preflight = false });
        var sums = new double[ds.Count];
        Parallel.For(0, ds.Count, i => sums[i] = ds.Get(i).Image.Data.Sum(v => (double)v));
        for (int i = 0; i < ds.Count; i += 17) Assert.That(ds.Get(i).Image.Data.Sum(v => (double)v), Is.EqualTo(sums[i]));
    }
}
