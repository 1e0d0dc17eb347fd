using static TorchSharp.torch;

namespace ModelZoo.Tests;

public class SmokeTests
{
    [Test]
    public void TorchSharpLoadsAndComputes()
    {
        using var t = ones(2, 3);
        Assert.That(t.sum().item<float>(), Is.EqualTo(6f));
    }
}
