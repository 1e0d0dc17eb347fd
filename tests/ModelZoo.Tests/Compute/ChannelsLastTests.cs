using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Compute;

/// <summary><see cref="ChannelsLast"/>: the NHWC layout without a memory-format API, giving the same results.</summary>
[TestFixture]
public sealed class ChannelsLastTests
{
    [Test]
    public void ConvertKeepsShapeAndValuesAndChangesTheLayout()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 3, 5, 7);
        var nhwc = ChannelsLast.Convert(x);
        Assert.That(ChannelsLast.IsChannelsLast(x), Is.False);
        Assert.That(ChannelsLast.IsChannelsLast(nhwc), Is.True);
        Assert.That(nhwc.shape, Is.EqualTo(x.shape));
        Assert.That(nhwc.stride(), Is.EqualTo(new long[] { 105, 1, 21, 3 }));
        Assert.That(nhwc.eq(x).all().item<bool>(), Is.True);
        Assert.That(ReferenceEquals(ChannelsLast.Convert(nhwc), nhwc), Is.True, "already channels-last: returned as is");
        var flat = randn(4, 5);
        Assert.That(ReferenceEquals(ChannelsLast.Convert(flat), flat), Is.True, "not 4-D: returned as is");
    }

    [TestCase("resnet18", 3, 64)]
    [TestCase("deepcnn", 1, 28)]
    [TestCase("googlenet", 3, 64)]
    public void ChannelsLastOutputsEqualContiguousOutputs(string model, int channels, int size)
    {
        using var scope = NewDisposeScope();
        using var net = Zoo.Create(model, new ModelOptions { NumClasses = 10, Seed = 5 });
        net.eval();
        torch.manual_seed(9);
        var x = randn(2, channels, size, size);
        Tensor expected, actual;
        using (no_grad())
        {
            expected = net.call(x);
            actual = net.call(ChannelsLast.Convert(x));
            int converted = ChannelsLast.Apply(net);
            Assert.That(converted, Is.GreaterThan(0), "conv weights converted");
            var both = net.call(ChannelsLast.Convert(x));
            Assert.That((both - expected).abs().max().item<float>(), Is.LessThan(1e-5f), "weights and input channels-last");
        }
        Assert.That((actual - expected).abs().max().item<float>(), Is.LessThan(1e-5f), "input channels-last");
    }

    [Test]
    public void ApplyKeepsTheParameterObjectsAndTheirValues()
    {
        using var scope = NewDisposeScope();
        var conv = nn.Conv2d(4, 6, 3);
        var weight = conv.weight!;
        var before = weight.detach().clone();
        ChannelsLast.Apply(conv);
        Assert.That(ReferenceEquals(conv.weight, weight) || conv.weight!.Handle == weight.Handle, Is.True);
        Assert.That(ChannelsLast.IsChannelsLast(conv.weight!), Is.True);
        Assert.That(conv.weight!.eq(before).all().item<bool>(), Is.True);
        Assert.That(conv.weight!.requires_grad, Is.True);
    }

    [Test]
    public void ChannelsLastGradientsEqualContiguousGradients()
    {
        using var scope = NewDisposeScope();
        var grads = new List<float[]>();
        foreach (bool nhwc in new[] { false, true })
        {
            using var net = Zoo.Create("resnet18", new ModelOptions { NumClasses = 10, Seed = 5 });
            net.train();
            torch.manual_seed(9);
            var x = randn(4, 3, 32, 32);
            var loss = nn.functional.cross_entropy(net.call(nhwc ? ChannelsLast.Convert(x) : x), tensor(new long[] { 1, 2, 3, 4 }));
            loss.backward();
            grads.Add(net.parameters().First().grad!.flatten().data<float>().ToArray());
        }
        // Batch norm's reductions run in another order on the other layout: equal to float32 rounding, not bitwise.
        float scale = grads[0].Max(MathF.Abs);
        float worst = grads[0].Zip(grads[1], (a, b) => MathF.Abs(a - b)).Max();
        Assert.That(worst / scale, Is.LessThan(1e-3f));
    }
}
