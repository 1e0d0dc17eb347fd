using ModelZoo.Weights;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Weights;

public class InputConvAdapterTests
{
    [Test]
    public void AGreyImageThroughTheSummedFilterEqualsItsRgbCopyThroughTheOriginal()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var rgbWeight = randn(8, 3, 3, 3);
        var grey = randn(2, 1, 12, 12);
        var fromRgb = nn.functional.conv2d(grey.repeat(1, 3, 1, 1), rgbWeight);
        var fromGrey = nn.functional.conv2d(grey, InputConvAdapter.Adapt(rgbWeight, 1));
        Assert.That((fromRgb - fromGrey).abs().max().item<float>(), Is.LessThan(1e-5f));
        Assert.That(rgbWeight.shape[1], Is.EqualTo(3), "the original is left as it was");
    }

    [Test]
    public void MoreChannelsRepeatTheFiltersAndKeepTheResponseScale()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        var w = randn(4, 3, 1, 1);
        var six = InputConvAdapter.Adapt(w, 6);
        Assert.That(six.shape, Is.EqualTo(new long[] { 4, 6, 1, 1 }));
        // A constant input gives the same response as the original on a constant RGB image.
        var a = nn.functional.conv2d(ones(1, 3, 2, 2), w);
        var b = nn.functional.conv2d(ones(1, 6, 2, 2), six);
        Assert.That((a - b).abs().max().item<float>(), Is.LessThan(1e-5f));
        Assert.Throws<ArgumentException>(() => InputConvAdapter.Adapt(randn(4, 3), 1));
    }

    [Test]
    public void FreezingTheBackboneLeavesOnlyTheHeadTrainable()
    {
        using var model = Zoo.Create("googlenet", new ModelOptions { NumClasses = 5, Family = new ModelZoo.Models.GoogLeNetOptions { AuxLogits = true } });
        int frozen = PretrainedWeights.FreezeBackbone(model);
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.That(trainable, Is.EquivalentTo(new[] { "fc.weight", "fc.bias", "aux1.fc2.weight", "aux1.fc2.bias", "aux2.fc2.weight", "aux2.fc2.bias" }));
        Assert.That(frozen, Is.EqualTo(model.parameters().Count() - trainable.Count));
    }
}
