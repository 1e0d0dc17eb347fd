using ModelZoo.Training;

namespace ModelZoo.Tests.Training;

/// <summary>TrainingDefaults finds the family on the model card, not in the name's letters.</summary>
public class TrainingDefaultsFamilyTests
{
    [TestCase("inception", "googlenet")]
    [TestCase("Inception-V1", "googlenet")]
    [TestCase("deep_cnn", "deepcnn")]
    [TestCase("resnet", "resnet18")]
    [TestCase("VGG16-BN", "vgg16_bn")]
    public void AliasesGetTheirFamilysRecipe(string alias, string canonical)
    {
        foreach (string kind in new[] { "mnist", "folder" })
        {
            var viaAlias = TrainingDefaults.For(alias, kind);
            var viaName = TrainingDefaults.For(canonical, kind);
            Assert.That(viaAlias, Is.EqualTo(viaName), $"{alias} on {kind}");
            Assert.That(viaAlias.Source, Does.Not.Contain("fallback"));
        }
    }

    [Test]
    public void UnknownNamesGetTheGenericFallback() =>
        Assert.That(TrainingDefaults.For("tinynet", "mnist").Source, Does.Contain("fallback"));
}
