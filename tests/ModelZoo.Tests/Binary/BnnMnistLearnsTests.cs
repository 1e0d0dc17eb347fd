using System.Diagnostics;
using ModelZoo.Blocks.Binary;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Binary;

/// <summary>bnn-mnist learns real digits with Adam and straight-through gradients in a fixed, small number of steps.</summary>
[Category("Binary")]
public class BnnMnistLearnsTests
{
    [Test]
    public void BnnMnistLearnsRealDigitsWellAboveChance()
    {
        using var scope = torch.NewDisposeScope();
        var (images, labels) = SharedMnist.TrainTensors(2500);
        var trainX = images[..2000];
        var trainY = labels[..2000];
        var testX = images[2000..];
        var testY = labels[2000..];
        torch.manual_seed(0);
        using var net = Zoo.Create("bnn-mnist", new ModelOptions { Seed = 0 });
        var optimizer = torch.optim.Adam(net.parameters(), lr: 5e-3);
        var clock = Stopwatch.StartNew();
        net.train();
        const int steps = 25, batch = 80;
        for (int step = 0; step < steps; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            int from = step * batch % 2000;
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(net.call(trainX[from..(from + batch)]), trainY[from..(from + batch)]);
            loss.backward();
            optimizer.step();
            BinaryLayers.ClipLatentWeights(net);
        }
        net.eval();
        double accuracy;
        using (torch.no_grad())
            accuracy = net.call(testX).argmax(1).eq(testY).to(ScalarType.Float32).mean().item<float>();
        TestContext.Out.WriteLine($"bnn-mnist: {steps} steps of {batch}, held-out accuracy {accuracy:P1}, {clock.Elapsed.TotalSeconds:F1} s");
        Assert.That(accuracy, Is.GreaterThan(0.6), "chance is 0.1");
        foreach (var (_, layer) in BinaryLayers.Find(net))
            Assert.That(layer.LatentWeight.abs().max().item<float>(), Is.LessThanOrEqualTo(1f));
    }
}
