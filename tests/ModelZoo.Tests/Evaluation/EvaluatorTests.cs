using ModelZoo.Data;
using ModelZoo.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Evaluation;

public class EvaluatorTests
{
    /// <summary>A "model" whose logits are its input, flattened: predictions are fully controlled by the test.</summary>
    private sealed class Identity : nn.Module<Tensor, Tensor>
    {
        public Identity() : base("identity") { }
        public override Tensor forward(Tensor input) => input.flatten(1);
    }

    /// <summary>Scales the logits, so the same argmax gives a different softmax.</summary>
    private sealed class Scaled(float factor) : nn.Module<Tensor, Tensor>("scaled")
    {
        public override Tensor forward(Tensor input) => input.flatten(1) * factor;
    }

    private sealed class ListSource(float[][] logits, long[] labels, int batchSize) : IBatchSource
    {
        public int SamplesPerEpoch => labels.Length;
        public int BatchesPerEpoch => (labels.Length + batchSize - 1) / batchSize;
        public IEnumerable<Batch> GetEpoch(int epoch, CancellationToken cancellationToken = default)
        {
            int classes = logits[0].Length;
            for (int start = 0; start < labels.Length; start += batchSize)
            {
                int n = Math.Min(batchSize, labels.Length - start);
                var flat = logits.Skip(start).Take(n).SelectMany(r => r).ToArray();
                yield return new Batch(
                    tensor(flat, [n, 1, 1, classes]),
                    tensor(labels.Skip(start).Take(n).ToArray()),
                    Enumerable.Range(start, n).ToArray());
            }
        }
    }

    private static readonly string[] Names = ["a", "b", "c"];

    [Test]
    public void CountsTop1TopKConfusionAndPerClassFigures()
    {
        // Rows are logits over classes a, b, c. Labels below.
        float[][] logits =
        [
            [5, 1, 0], // a -> a  correct
            [5, 4, 0], // b -> a  wrong, b is 2nd
            [0, 5, 1], // b -> b  correct
            [1, 0, 5], // c -> c  correct
            [0, 5, 4], // c -> b  wrong, c is 2nd
            [5, 0, 4], // b -> a  wrong, b is 3rd
        ];
        long[] labels = [0, 1, 1, 2, 2, 1];
        using var model = new Identity();
        var report = Evaluator.Evaluate([model], new ListSource(logits, labels, 4), Names, new EvaluationOptions { TopK = 2 });

        Assert.That(report.Samples, Is.EqualTo(6));
        Assert.That(report.Top1, Is.EqualTo(3.0 / 6).Within(1e-12));
        Assert.That(report.TopK, Is.EqualTo(5.0 / 6).Within(1e-12));
        Assert.That(report.K, Is.EqualTo(2));
        Assert.That(report.Confusion[0], Is.EqualTo(new long[] { 1, 0, 0 }));
        Assert.That(report.Confusion[1], Is.EqualTo(new long[] { 2, 1, 0 }));
        Assert.That(report.Confusion[2], Is.EqualTo(new long[] { 0, 1, 1 }));
        // Class a: predicted 3 times, right once. Class b: 3 samples, 1 found.
        Assert.That(report.Classes[0].Precision, Is.EqualTo(1.0 / 3).Within(1e-12));
        Assert.That(report.Classes[0].Recall, Is.EqualTo(1.0));
        Assert.That(report.Classes[1].Precision, Is.EqualTo(1.0 / 2).Within(1e-12));
        Assert.That(report.Classes[1].Recall, Is.EqualTo(1.0 / 3).Within(1e-12));
        Assert.That(report.Misclassified.Select(m => m.Index), Is.EquivalentTo(new[] { 1, 4, 5 }));
        Assert.That(report.Misclassified.Select(m => m.Confidence), Is.Ordered.Descending);

        // Loss is the mean negative log softmax probability of the true class.
        double expected = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            double denominator = logits[i].Sum(v => Math.Exp(v));
            expected -= Math.Log(Math.Exp(logits[i][labels[i]]) / denominator);
        }
        Assert.That(report.Loss, Is.EqualTo(expected / labels.Length).Within(1e-5));
    }

    [Test]
    public void EnsembleAveragesProbabilitiesNotLogits()
    {
        // Model 1 alone says a (barely); model 2 (sharper) says b. The averaged probabilities decide.
        float[][] logits = [[1.0f, 0.9f, -5f]];
        long[] labels = [1];
        using var sharp = new Scaled(1f);
        using var flipped = new FlipAB();
        var single = Evaluator.Evaluate([sharp], new ListSource(logits, labels, 1), Names);
        var ensemble = Evaluator.Evaluate([sharp, flipped], new ListSource(logits, labels, 1), Names);
        Assert.That(single.Top1, Is.EqualTo(0));
        Assert.That(ensemble.Top1, Is.EqualTo(1));

        // Manual average of the two softmaxes.
        double[] p1 = Softmax([1.0, 0.9, -5]);
        double[] p2 = Softmax([0.9 * 3, 1.0 * 3, -5 * 3]);
        double pb = (p1[1] + p2[1]) / 2;
        Assert.That(ensemble.Loss, Is.EqualTo(-Math.Log(pb)).Within(1e-5));
        Assert.That(ensemble.Models, Is.EqualTo(2));
    }

    /// <summary>Swaps the first two logits and sharpens them: a confident second opinion for class b.</summary>
    private sealed class FlipAB() : nn.Module<Tensor, Tensor>("flip")
    {
        public override Tensor forward(Tensor input)
        {
            var x = input.flatten(1);
            return cat([x[.., 1..2], x[.., 0..1], x[.., 2..]], 1) * 3;
        }
    }

    private static double[] Softmax(double[] v)
    {
        double sum = v.Sum(Math.Exp);
        return v.Select(x => Math.Exp(x) / sum).ToArray();
    }

    [Test]
    public void ConfusionCsvHasHeaderAndOneRowPerTrueClass()
    {
        using var model = new Identity();
        var report = Evaluator.Evaluate([model], new ListSource([[2, 1, 0], [0, 2, 1]], [0, 2], 2), ["x", "y,z", "w"]);
        var writer = new StringWriter();
        report.WriteConfusionCsv(writer);
        var lines = writer.ToString().TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.That(lines, Has.Length.EqualTo(4));
        Assert.That(lines[0], Is.EqualTo("true\\predicted,x,\"y,z\",w"));
        Assert.That(lines[1], Is.EqualTo("x,1,0,0"));
        Assert.That(lines[3], Is.EqualTo("w,0,1,0"));
    }

    [Test]
    public void LabelOutsideTheClassListIsRejected()
    {
        using var model = new Identity();
        Assert.Throws<ArgumentException>(() =>
            Evaluator.Evaluate([model], new ListSource([[1, 0, 0]], [7], 1), Names));
    }
}
