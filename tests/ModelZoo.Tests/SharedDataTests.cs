namespace ModelZoo.Tests;

/// <summary>The one test that reports a missing shared data folder (every test that needs it is skipped then).</summary>
public class SharedDataTests
{
    [Test]
    public void SharedDatasetsArePresent()
    {
        Assert.That(Directory.Exists(TestPaths.SharedDatasets), Is.True, TestPaths.MissingSharedDatasetsMessage);
        foreach (string name in new[] { "mnist-subset-10k", "imagenette-mini" })
            Assert.That(Directory.Exists(Path.Combine(TestPaths.SharedDatasets, name)), Is.True, $"{name} is missing from {TestPaths.SharedDatasets}");
    }
}
