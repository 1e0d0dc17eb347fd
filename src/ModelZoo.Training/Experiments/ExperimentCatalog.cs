using System.Globalization;
using ModelZoo.Blocks;

namespace ModelZoo.Training.Experiments;

/// <summary>
/// The seed's experiments with the seed's settings: <c>optimizers</c> (SGD lr 0.01, momentum 0.9 lr 0.01, AdaGrad lr
/// 0.01, Adam lr 0.001 on deepcnn), <c>init</c> (Gaussian std 0.01 vs Xavier vs He on deepcnn, plus activation
/// histograms: <see cref="ActivationProbe"/>), <c>depth</c> (<see cref="TwoConvCnn"/> vs deepcnn, Adam 0.001) and
/// <c>augment</c> (deepcnn without augmentation vs the <c>mnist</c> preset, Adam 0.001).
/// </summary>
public static class ExperimentCatalog
{
    /// <summary>The experiment names, in the order of the docs.</summary>
    public static IReadOnlyList<string> Names { get; } = ["optimizers", "init", "depth", "augment"];

    /// <summary>The experiment called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="Names"/>.</exception>
    public static ExperimentDefinition Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            "optimizers" => new ExperimentDefinition("optimizers", "optimizer", "Optimisers on deepcnn (training loss per step)",
            [
                new ExperimentVariant { Name = "sgd", Label = "SGD lr 0.01", Optimizer = OptimizerKind.Sgd, LearningRate = 0.01 },
                new ExperimentVariant { Name = "momentum", Label = "Momentum 0.9 lr 0.01", Optimizer = OptimizerKind.Momentum, LearningRate = 0.01, Momentum = 0.9 },
                new ExperimentVariant { Name = "adagrad", Label = "AdaGrad lr 0.01", Optimizer = OptimizerKind.AdaGrad, LearningRate = 0.01 },
                new ExperimentVariant { Name = "adam", Label = "Adam lr 0.001", Optimizer = OptimizerKind.Adam, LearningRate = 0.001 },
            ], "SGD learns slowest; AdaGrad and Adam learn fastest, Momentum in between."),
            "init" => new ExperimentDefinition("init", "initial weights", "Initial weights on deepcnn (training loss per step)",
            [
                new ExperimentVariant { Name = "std0.01", Label = "Gaussian std 0.01", Init = InitScheme.Normal },
                new ExperimentVariant { Name = "xavier", Label = "Xavier", Init = InitScheme.Xavier },
                new ExperimentVariant { Name = "he", Label = "He", Init = InitScheme.He },
            ], "With std 0.01 the activations collapse towards 0 layer by layer and learning stalls; Xavier keeps tanh/sigmoid activations spread, He keeps ReLU activations spread and learns fastest."),
            "depth" => new ExperimentDefinition("depth", "depth", "A 2-conv CNN vs the deep CNN",
            [
                new ExperimentVariant { Name = "twoconv", Label = "2-conv CNN", Model = TwoConvCnn.ModelName },
                new ExperimentVariant { Name = "deepcnn", Label = "deepcnn (6 conv)" },
            ], "The deeper CNN reaches a higher test accuracy."),
            "augment" => new ExperimentDefinition("augment", "augmentation", "Augmentation on deepcnn",
            [
                new ExperimentVariant { Name = "none", Label = "no augmentation", Augment = "none" },
                new ExperimentVariant { Name = "mnist", Label = "mnist preset (rotate, shift, zoom)", Augment = "mnist" },
            ], "Augmentation raises the test accuracy."),
            _ => throw new ArgumentException($"unknown experiment '{name}'; experiments: {string.Join(", ", Names)}", nameof(name)),
        };
    }

    /// <summary>Compares <paramref name="results"/> (in the order of the definition's variants) with the seed's conclusion.</summary>
    public static ExperimentVerdict Judge(ExperimentDefinition definition, IReadOnlyList<VariantResult> results)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(results);
        var inv = CultureInfo.InvariantCulture;
        VariantResult By(string n) => results.First(r => r.Variant.Name == n);
        string Loss(VariantResult r) => r.MeanTrainLoss.ToString("0.000", inv);
        string Acc(VariantResult r) => r.TestAccuracy is double a ? (a * 100).ToString("0.00", inv) + " %" : "n/a";
        switch (definition.Name)
        {
            case "optimizers":
            {
                var ranked = results.OrderBy(r => r.MeanTrainLoss).ToList();
                bool agrees = ranked[^1].Variant.Name == "sgd" && ranked.Take(2).All(r => r.Variant.Name is "adam" or "adagrad");
                return new ExperimentVerdict(agrees, "mean training loss over the run, lowest first: "
                    + string.Join(", ", ranked.Select(r => $"{r.Variant.Label} {Loss(r)}")));
            }
            case "init":
            {
                var ranked = results.OrderBy(r => r.MeanTrainLoss).ToList();
                bool agrees = ranked[^1].Variant.Name == "std0.01" && ranked[0].Variant.Name == "he";
                return new ExperimentVerdict(agrees, "mean training loss over the run, lowest first: "
                    + string.Join(", ", ranked.Select(r => $"{r.Variant.Label} {Loss(r)}")));
            }
            case "depth":
            {
                var shallow = By("twoconv");
                var deep = By("deepcnn");
                bool agrees = (deep.TestAccuracy ?? 0) > (shallow.TestAccuracy ?? 0);
                return new ExperimentVerdict(agrees, string.Create(inv,
                    $"test accuracy {shallow.Variant.Label} {Acc(shallow)} ({shallow.Parameters:N0} parameters, {shallow.Seconds:0.0} s) vs {deep.Variant.Label} {Acc(deep)} ({deep.Parameters:N0} parameters, {deep.Seconds:0.0} s)"));
            }
            case "augment":
            {
                var none = By("none");
                var aug = By("mnist");
                bool agrees = (aug.TestAccuracy ?? 0) > (none.TestAccuracy ?? 0);
                return new ExperimentVerdict(agrees, $"test accuracy {none.Variant.Label} {Acc(none)} vs {aug.Variant.Label} {Acc(aug)}");
            }
            default:
                throw new ArgumentException($"unknown experiment '{definition.Name}'", nameof(definition));
        }
    }

    /// <summary>
    /// Compares MLP activation histograms (<see cref="ActivationProbe.Mlp"/> for the three schemes and activations) with
    /// the seed: std 0.01 collapses the last layer's activations (tanh and ReLU: std below a tenth of Xavier's), Xavier
    /// keeps tanh spread (last-layer std above 0.1), and He keeps ReLU activations wider than Xavier does.
    /// </summary>
    public static ExperimentVerdict JudgeActivations(IReadOnlyList<ActivationHistogram> mlp)
    {
        ArgumentNullException.ThrowIfNull(mlp);
        var inv = CultureInfo.InvariantCulture;
        double Last(string activation, InitScheme init)
        {
            var layers = mlp.Where(h => h.Activation == activation && h.Init == init).ToList();
            return layers.Count == 0 ? double.NaN : layers.MaxBy(h => h.Layer)!.Std;
        }
        double tanhSmall = Last("tanh", InitScheme.Normal), tanhXavier = Last("tanh", InitScheme.Xavier);
        double reluSmall = Last("relu", InitScheme.Normal), reluXavier = Last("relu", InitScheme.Xavier), reluHe = Last("relu", InitScheme.He);
        double sigmoidSmall = Last("sigmoid", InitScheme.Normal), sigmoidXavier = Last("sigmoid", InitScheme.Xavier);
        bool agrees = tanhSmall < 0.1 * tanhXavier && tanhXavier > 0.1 && reluSmall < 0.1 * reluXavier && reluHe > reluXavier;
        return new ExperimentVerdict(agrees, string.Create(inv,
            $"std of the 5th layer's activations: tanh std-0.01 {tanhSmall:G2} vs Xavier {tanhXavier:G2}; sigmoid std-0.01 {sigmoidSmall:G2} vs Xavier {sigmoidXavier:G2}; ReLU std-0.01 {reluSmall:G2}, Xavier {reluXavier:G2}, He {reluHe:G2}"));
    }
}
