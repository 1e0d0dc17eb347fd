using System.Text.RegularExpressions;
using ModelZoo.Data.Folders;
using ModelZoo.Hub;

namespace ModelZoo.Tests.Weights;

/// <summary>
/// The known-weights tables, checked for shape: every entry names a model that exists and is on that model's card, has
/// an HTTPS URL and a hash (the published prefix equals the one in the file name), classes that match the card, a
/// preprocessing that fits it, and a unique name and file name (the cache and mirrors are flat folders). Names resolve
/// the way the CLI and <c>Zoo.Create</c> accept them.
/// </summary>
public class WeightsTableTests
{
    private static readonly IReadOnlyList<WeightsInfo> All = WeightsHub.All;

    [Test]
    public void EveryEntryFitsItsModelCard()
    {
        Assert.That(All, Has.Count.EqualTo(13 + 8 + 1), "13 ResNet (torchvision V1/V2, timm A1), 8 VGG, 1 GoogLeNet");
        foreach (var w in All)
        {
            var card = Zoo.Card(w.Model);
            Assert.That(card.Name, Is.EqualTo(w.Model), w.Name);
            Assert.That(card.Weights, Does.Contain(w), w.Name);
            Assert.That(w.Url, Does.Match("^https://[^ ]+/[^/ ]+$"), w.Name);
            Assert.That(w.Sha256, Does.Match("^[0-9a-f]{8}([0-9a-f]{56})?$"), w.Name);
            Assert.That(w.Sha256, Is.EqualTo(WeightsInfo.HashPrefixOf(w.FileName)), $"{w.Name}: the hash is the prefix the publisher put in the file name");
            Assert.That(w.Classes, Is.EqualTo(card.DefaultClasses), w.Name);
            Assert.That(w.ClassList, Is.EqualTo(WeightsInfo.ImageNet1k), w.Name);
            Assert.That(w.Preprocessing.Mean, Has.Count.EqualTo(card.DefaultInput.Channels), w.Name);
            Assert.That(w.Preprocessing.Std, Has.Count.EqualTo(card.DefaultInput.Channels), w.Name);
            Assert.That(w.Preprocessing.ResizeSize, Is.GreaterThanOrEqualTo(w.Preprocessing.CropSize), w.Name);
            Assert.That(w.Preprocessing.Interpolation, Is.AnyOf("bilinear", "bicubic"), w.Name);
            Assert.That(w.ReferenceTop1, Is.InRange(60.0, 90.0), w.Name);
            Assert.That(w.ReferenceTop5, Is.InRange(w.ReferenceTop1!.Value, 100.0), w.Name);
            Assert.That(w.Licence, Does.StartWith("BSD-3-Clause").Or.StartWith("Apache-2.0"), w.Name);
            Assert.That(w.Tag, Does.Match("^[a-z0-9]+_in1k$"), w.Name);
            Assert.That(w.TransformInput, Is.EqualTo(w.Model == "googlenet"), w.Name);
        }
        Assert.That(All.Select(w => w.Name), Is.Unique);
        Assert.That(All.Select(w => w.FileName), Is.Unique, "one flat cache folder");
        foreach (var model in All.Select(w => w.Model).Distinct())
            Assert.That(All.Count(w => w.Model == model && w.IsDefault), Is.EqualTo(1), $"{model} has one default");
    }

    [Test]
    public void TorchvisionEntriesAreTorchvisionsFilesAndAccuracies()
    {
        // Spot checks against torchvision 0.14's models/resnet.py, vgg.py and googlenet.py weights enums.
        var r50 = WeightsHub.Find("resnet50");
        Assert.That((r50.Name, r50.Url, r50.Sha256, r50.ReferenceTop1, r50.Preprocessing.ResizeSize),
            Is.EqualTo(("resnet50.tv2_in1k", "https://download.pytorch.org/models/resnet50-11ad3fa6.pth", "11ad3fa6", (double?)80.858, (int?)232)));
        Assert.That(WeightsHub.Find("resnet50.IMAGENET1K_V1").Url, Is.EqualTo("https://download.pytorch.org/models/resnet50-0676ba61.pth"));
        Assert.That(WeightsHub.Find("vgg16").Url, Is.EqualTo("https://download.pytorch.org/models/vgg16-397923af.pth"));
        Assert.That(WeightsHub.Find("googlenet").ReferenceTop1, Is.EqualTo(69.778));
        var a1 = WeightsHub.Find("resnet50.a1_in1k");
        Assert.That((a1.Origin, a1.Sha256, a1.Preprocessing.CropSize, a1.Preprocessing.Interpolation), Is.EqualTo(("timm", "14fe96d1", 288, "bicubic")));
        // Every torchvision file is on download.pytorch.org; every timm file on timm's GitHub release.
        foreach (var w in All)
            Assert.That(w.Url, Does.StartWith(w.Origin == "torchvision" ? "https://download.pytorch.org/models/" : "https://github.com/huggingface/pytorch-image-models/releases/download/"), w.Name);
    }

    [Test]
    public void NamesResolveAsTheCliAndZooCreateAcceptThem()
    {
        Assert.That(WeightsHub.Find("resnet18").Name, Is.EqualTo("resnet18.tv_in1k"));
        Assert.That(WeightsHub.Find("resnet").Name, Is.EqualTo("resnet18.tv_in1k"), "an alias");
        Assert.That(WeightsHub.Find("ResNet50.TV_IN1K").Name, Is.EqualTo("resnet50.tv_in1k"), "case-insensitive");
        Assert.That(WeightsHub.Find("resnet50.IMAGENET1K_V2").Name, Is.EqualTo("resnet50.tv2_in1k"), "torchvision's spelling");
        Assert.That(WeightsHub.Find("resnet50.default").Name, Is.EqualTo("resnet50.tv2_in1k"));
        Assert.That(WeightsHub.Find("vgg16-bn").Name, Is.EqualTo("vgg16_bn.tv_in1k"));
        foreach (var w in All) Assert.That(WeightsHub.Find(w.Name), Is.EqualTo(w));
        var e = Assert.Throws<UnknownWeightsException>(() => WeightsHub.Find("resnet50.tv3_in1k"))!;
        Assert.That(e.Message, Does.Contain("resnet50 has tv_in1k, tv2_in1k, a1_in1k"));
        Assert.That(Assert.Throws<UnknownWeightsException>(() => WeightsHub.Find("deepcnn"))!.Message, Does.Contain("deepcnn has no known weights"));
        Assert.That(Assert.Throws<UnknownWeightsException>(() => WeightsHub.Find("alexnet"))!.Message, Does.Contain("'alexnet' is not a zoo model"));
        Assert.That(WeightsHub.TryFind("alexnet", out _), Is.False);
    }

    [Test]
    public void HashPrefixRuleIsTorchHubs()
    {
        Assert.That(WeightsInfo.HashPrefixOf("resnet18-f37072fd.pth"), Is.EqualTo("f37072fd"));
        Assert.That(WeightsInfo.HashPrefixOf("resnet50_a1h2_176-001a1197.pth"), Is.EqualTo("001a1197"));
        Assert.That(WeightsInfo.HashPrefixOf("model.safetensors"), Is.Null);
        Assert.That(WeightsInfo.HashPrefixOf("resnet18-.pth"), Is.Null, "an empty prefix checks nothing, so it is no prefix");
        string digest = new string('a', 8) + new string('b', 56);
        Assert.That(WeightsHub.HashMatches(digest, "aaaaaaaa"), Is.True);
        Assert.That(WeightsHub.HashMatches(digest, "aaaaaaab"), Is.False);
        Assert.That(WeightsHub.HashMatches(digest, "aaaa"), Is.False, "prefixes under 8 digits are refused");
        Assert.That(WeightsHub.HashMatches(digest, digest.ToUpperInvariant()), Is.True);
    }

    [Test]
    public void ThousandClassWeightsComeWithImageNetsClassNames()
    {
        var ids = ClassNames.ImageNetClassIds;
        Assert.That(ids, Has.Count.EqualTo(1000));
        Assert.That(ids, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal), "WordNet-id order is torchvision's index order");
        Assert.That(ids[207], Is.EqualTo("n02099601"));
        Assert.That(ClassNames.WordNetName(ids[207]), Is.EqualTo("golden retriever"));
        Assert.That(ids.Select(id => ClassNames.WordNet[id]), Is.Unique, "torchvision's names for the two shared lemmas");
        Assert.That(ClassNames.WordNetName(ids[134]), Is.EqualTo("crane bird"));
        Assert.That(ClassNames.WordNetName(ids[517]), Is.EqualTo("crane"));
        Assert.That(All.Where(w => w.ClassList == WeightsInfo.ImageNet1k).Select(w => w.Classes).Distinct(), Is.EqualTo(new[] { ids.Count }));
    }

    [Test]
    public void TorchvisionsCategoryListMatchesTheShippedNames()
    {
        // The names of Debian's torchvision (torchvision/models/_meta.py), index by index.
        TorchReference.Require();
        string meta = "/usr/lib/python3/dist-packages/torchvision/models/_meta.py";
        Assume.That(File.Exists(meta), Is.True, meta);
        string text = File.ReadAllText(meta);
        int start = text.IndexOf("_IMAGENET_CATEGORIES = [", StringComparison.Ordinal);
        int end = text.IndexOf(']', start);
        var names = Regex.Matches(text[start..end], "\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.That(names, Has.Count.EqualTo(1000));
        Assert.That(ClassNames.ImageNetClassIds.Select(id => ClassNames.WordNet[id]), Is.EqualTo(names));
    }
}
