using ModelZoo.Data.Folders;
using ModelZoo.Data.Imaging;

namespace ModelZoo.Tests.Data.Folders;

/// <summary>
/// bad-images.tsv and error lines stay one line per file whatever the file names hold (issue 27, item 7): tabs,
/// newlines, carriage returns, backslashes and other control characters are escaped.
/// </summary>
public class BadImageReportTests
{
    [TestCase("plain.jpg", "plain.jpg")]
    [TestCase("tab\there.jpg", @"tab\there.jpg")]
    [TestCase("new\nline.jpg", @"new\nline.jpg")]
    [TestCase("cr\rlf\n.jpg", @"cr\rlf\n.jpg")]
    [TestCase(@"back\slash.jpg", @"back\\slash.jpg")]
    [TestCase("bell\u0007.jpg", @"bell\x07.jpg")]
    [TestCase("ünïcödé 画像.jpg", "ünïcödé 画像.jpg")]
    public void EscapeKeepsANameOnOneVisibleLine(string name, string escaped) =>
        Assert.That(BadImageReport.Escape(name), Is.EqualTo(escaped));

    [Test]
    public void FilesWithTabsAndNewlinesInTheirNamesAreListedOneLineEach()
    {
        string dir = ImageTestData.TempDir("odd-names");
        string[] names = ["a\tb.png", "line\nbreak.png", "ok.png"];
        var report = new BadImageReport();
        foreach (string name in names)
        {
            string path = Path.Combine(dir, name);
            File.WriteAllText(path, "not an image");
            var e = Assert.Throws<BadImageException>(() => new SafeImageDecoder().Decode(path))!;
            Assert.That(e.Message, Does.Not.Contain("\n").And.Not.Contain("\t"), "the error line is one line");
            Assert.That(e.Message, Does.Contain(BadImageReport.Escape(path)));
            report.Add(new SkippedImage(path, e.Reason + "\nsecond line"));
        }
        Assert.That(report.Add(new SkippedImage(Path.Combine(dir, "ok.png"), "again")), Is.False, "each file once");
        string tsv = Path.Combine(dir, "bad-images.tsv");
        BadImageReport.Write(tsv, report);
        var lines = File.ReadAllText(tsv).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(4));
        Assert.That(lines[0], Is.EqualTo(BadImageReport.Header));
        Assert.That(lines.Skip(1).Select(l => l.Split('\t').Length), Has.All.EqualTo(2), "two cells per line");
        Assert.That(lines[1], Does.StartWith(BadImageReport.Escape(Path.Combine(dir, "a\tb.png")) + "\t"));
        Assert.That(lines[2], Does.Contain(@"line\nbreak.png"));
        Assert.That(Directory.GetFiles(dir, "*.tmp"), Is.Empty);
    }

    [Test]
    public void AKeptFileStartsWithTheLoadTimeSkips()
    {
        string tsv = Path.Combine(ImageTestData.TempDir("kept-start"), "bad-images.tsv");
        var report = BadImageReport.From([new SkippedImage("/data/x.png", "not an image"), new SkippedImage("/data/y.png", "truncated PNG")]);
        var logged = new List<string>();
        using (report.KeepWritten(tsv, logged.Add))
            Assert.That(File.ReadAllLines(tsv), Has.Length.EqualTo(3));
        Assert.That(logged, Is.EqualTo(new[] { $"skipped 2 bad images: listed in {tsv}" }));
    }

    [Test]
    public void AKeptFileFollowsTheReport()
    {
        string tsv = Path.Combine(ImageTestData.TempDir("kept"), "run", "bad-images.tsv");
        var report = new BadImageReport();
        var logged = new List<string>();
        using (report.KeepWritten(tsv, logged.Add))
        {
            Assert.That(File.Exists(tsv), Is.False, "nothing written while nothing is bad");
            report.Add(new SkippedImage("/data/a.jpg", "truncated"));
            Assert.That(File.ReadAllLines(tsv), Is.EqualTo(new[] { BadImageReport.Header, "/data/a.jpg\ttruncated" }));
            report.Add(new SkippedImage("/data/b.jpg", "decoder error"));
            Assert.That(File.ReadAllLines(tsv), Has.Length.EqualTo(3));
        }
        report.Add(new SkippedImage("/data/c.jpg", "late"));
        Assert.That(File.ReadAllLines(tsv), Has.Length.EqualTo(3), "not written after disposal");
        Assert.That(logged, Has.Count.EqualTo(2));
        Assert.That(logged[0], Does.Contain("skipped bad image '/data/a.jpg' (truncated), 1 in all: listed in"));
        Assert.That(logged[1], Does.Contain("'/data/b.jpg'").And.Contain("2 in all"));
    }
}
