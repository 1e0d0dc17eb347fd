using ModelZoo.Data;
using ModelZoo.Data.Folders;

namespace ModelZoo.Tests.Experiments;

/// <summary>Human class names: the shipped ImageNet WordNet map and the classes.txt/classes.json beside a folder.</summary>
public class ClassNamesTests
{
    private string _dir = "";

    [SetUp]
    public void MakeFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), "mz-classnames-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void RemoveFolder()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public void WordNetMapShipsTheThousandImageNetClassesWithReadableNames()
    {
        Assert.That(ClassNames.WordNetName("n01440764"), Is.EqualTo("tench"));
        Assert.That(ClassNames.WordNetName("n02102040"), Is.EqualTo("English springer"));
        Assert.That(ClassNames.WordNetName("n03888257"), Is.EqualTo("parachute"));
        Assert.That(ClassNames.WordNetName("n15075141"), Is.EqualTo("toilet tissue"), "the last of the 1,000");
        Assert.That(ClassNames.WordNet, Has.Count.EqualTo(1000));
        Assert.That(ClassNames.WordNet.Keys, Is.All.Match("^n[0-9]{8}$"));
        Assert.That(ClassNames.WordNetName("n99999999"), Is.Null);
        Assert.That(ClassNames.WordNetName("7"), Is.Null);
    }

    [Test]
    public void ImagenetteMiniFolderNamesReadAsItsReadme()
    {
        var classes = Directory.GetDirectories(Path.Combine(TestPaths.Imagenette, "train")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var names = ClassNames.ForData(classes!, TestPaths.Imagenette);
        Assert.That(names, Is.EqualTo(new[]
        {
            "tench", "English springer", "cassette player", "chain saw", "church", "French horn", "garbage truck", "gas pump", "golf ball", "parachute",
        }));
    }

    [Test]
    public void ClassesTxtInClassOrderNamesEveryClass()
    {
        File.WriteAllLines(Path.Combine(_dir, "classes.txt"), ["# my names", "zero", "", "one", "two"]);
        Assert.That(ClassNames.Display(["a", "b", "c"], _dir), Is.EqualTo(new[] { "zero", "one", "two" }));
    }

    [Test]
    public void ClassesTxtKeyedByIdNamesSomeAndTheRestFallBack()
    {
        File.WriteAllLines(Path.Combine(_dir, "classes.txt"), ["n02102040\tspringer spaniel", "cat: a cat"]);
        Assert.That(ClassNames.Display(["cat", "n01440764", "n02102040"], _dir), Is.EqualTo(new[] { "a cat", "tench", "springer spaniel" }),
            "ids not in the file fall back to the WordNet map, then to the id");
    }

    [Test]
    public void ClassesJsonArrayOrObjectWinsOverClassesTxt()
    {
        File.WriteAllText(Path.Combine(_dir, "classes.txt"), "x\ny\n");
        File.WriteAllText(Path.Combine(_dir, "classes.json"), """{"b": "Bee"}""");
        Assert.That(ClassNames.Display(["a", "b"], _dir), Is.EqualTo(new[] { "a", "Bee" }));
        File.WriteAllText(Path.Combine(_dir, "classes.json"), """["Ay", "Bee"]""");
        Assert.That(ClassNames.Display(["a", "b"], _dir), Is.EqualTo(new[] { "Ay", "Bee" }));
    }

    [Test]
    public void MalformedNamesFilesAreOneClearError()
    {
        File.WriteAllLines(Path.Combine(_dir, "classes.txt"), ["only one"]);
        var e = Assert.Throws<ModelZooDataException>(() => ClassNames.Display(["a", "b"], _dir))!;
        Assert.That(e.Message, Does.Contain("classes.txt").And.Contain("1 names for 2 classes"));
        File.WriteAllText(Path.Combine(_dir, "classes.json"), "{not json");
        Assert.That(Assert.Throws<ModelZooDataException>(() => ClassNames.Display(["a", "b"], _dir))!.Message, Does.Contain("not valid JSON"));
        File.WriteAllText(Path.Combine(_dir, "classes.json"), """{"zebra": "Z"}""");
        Assert.That(Assert.Throws<ModelZooDataException>(() => ClassNames.Display(["a", "b"], _dir))!.Message, Does.Contain("'zebra' is not one of the classes"));
    }

    [Test]
    public void ForDataLooksBesideTrainAndValFoldersAndIgnoresNonFolderSpecs()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "train"));
        File.WriteAllLines(Path.Combine(_dir, "classes.txt"), ["n01440764 my tench"]);
        Assert.That(ClassNames.ForData(["n01440764"], Path.Combine(_dir, "train")), Is.EqualTo(new[] { "my tench" }));
        Assert.That(ClassNames.ForData(["n01440764", "3"], "mnist-sample"), Is.EqualTo(new[] { "tench", "3" }));
    }
}
