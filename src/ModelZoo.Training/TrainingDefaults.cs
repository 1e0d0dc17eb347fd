namespace ModelZoo.Training;

/// <summary>
/// Default recipes per model family and data kind (the table in docs/training.md). Command-line options override
/// any field.
/// </summary>
public static class TrainingDefaults
{
    /// <summary>
    /// The recipe for <paramref name="modelName"/> (a zoo name or alias; the family is its card's <see cref="ModelCard.Family"/>,
    /// and a name the zoo does not know gets the generic fallback) on
    /// data of kind <paramref name="dataKind"/>: "mnist", "fashion-mnist", "mnist-sample" or anything MNIST-like
    /// counts as small grey digits; everything else ("folder", "imagenet") as ImageNet-style photos.
    /// </summary>
    public static TrainingRecipe For(string modelName, string dataKind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        string family = FamilyOf(modelName);
        bool mnistLike = (dataKind ?? "").Contains("mnist", StringComparison.OrdinalIgnoreCase);
        string augment = mnistLike ? "mnist" : "imagenet";
        var o = new TrainingOptions();
        return (family, mnistLike) switch
        {
            ("deepcnn", _) => new(o with { Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, BatchSize = 100, Epochs = 20, Schedule = ScheduleKind.Constant },
                InitScheme.He, mnistLike ? "none" : augment,
                "Deep Learning from Scratch, ch. 8 (deep_convnet: Adam lr 1e-3, batch 100, He init, 20 epochs)"),
            ("resnet", true) => new(o with { Optimizer = OptimizerKind.Momentum, LearningRate = 0.1, BatchSize = 128, Epochs = 15, WeightDecay = 5e-4, Schedule = ScheduleKind.Cosine, WarmupEpochs = 1 },
                InitScheme.Default, augment, "CIFAR-style ResNet recipe scaled to MNIST (SGD momentum 0.9, lr 0.1, cosine, wd 5e-4)"),
            ("resnet", false) => new(o with { Optimizer = OptimizerKind.Momentum, LearningRate = 0.1, BatchSize = 256, Epochs = 90, WeightDecay = 1e-4, Schedule = ScheduleKind.Step, StepEpochs = 30, StepGamma = 0.1 },
                InitScheme.Default, augment, "torchvision reference recipe for ResNet (SGD momentum 0.9, lr 0.1, step x0.1 every 30 epochs, wd 1e-4)"),
            ("vgg", true) => new(o with { Optimizer = OptimizerKind.Momentum, LearningRate = 0.01, BatchSize = 128, Epochs = 15, WeightDecay = 5e-4, Schedule = ScheduleKind.Cosine, WarmupEpochs = 1 },
                InitScheme.Default, augment, "VGG recipe scaled to MNIST (SGD momentum 0.9, lr 0.01, cosine, wd 5e-4)"),
            ("vgg", false) => new(o with { Optimizer = OptimizerKind.Momentum, LearningRate = 0.01, BatchSize = 256, Epochs = 90, WeightDecay = 5e-4, Schedule = ScheduleKind.Step, StepEpochs = 30, StepGamma = 0.1 },
                InitScheme.Default, augment, "Simonyan & Zisserman 2014 / torchvision reference (SGD momentum 0.9, lr 0.01, wd 5e-4)"),
            ("googlenet", true) => new(o with { Optimizer = OptimizerKind.Momentum, LearningRate = 0.01, BatchSize = 128, Epochs = 15, WeightDecay = 1e-4, Schedule = ScheduleKind.Cosine, WarmupEpochs = 1 },
                InitScheme.Default, augment, "GoogLeNet scaled to MNIST (SGD momentum 0.9, lr 0.01, cosine, wd 1e-4)"),
            ("googlenet", false) => new(o with { Optimizer = OptimizerKind.Momentum, LearningRate = 0.01, BatchSize = 256, Epochs = 90, WeightDecay = 1e-4, Schedule = ScheduleKind.Cosine },
                InitScheme.Default, augment, "torchvision-style GoogLeNet recipe (SGD momentum 0.9, lr 0.01, cosine, wd 1e-4)"),
            ("bnn", _) => new(o with { Optimizer = OptimizerKind.Adam, LearningRate = 5e-3, BatchSize = 100, Epochs = 10, Schedule = ScheduleKind.Cosine },
                InitScheme.Default, mnistLike ? "none" : augment,
                "BNN recipe (Courbariaux/Hubara et al. 2016; larq examples): Adam lr 5e-3 with cosine decay, batch 100; latent weights clipped to [-1, 1]"),
            ("binary", _) => new(o with { Optimizer = OptimizerKind.Adam, LearningRate = 2e-3, BatchSize = mnistLike ? 128 : 256, Epochs = mnistLike ? 15 : 60, Schedule = ScheduleKind.Cosine },
                InitScheme.Default, augment,
                "Bi-Real Net / larq zoo recipe for binary ResNets: Adam lr 2e-3, cosine decay, no weight decay; latent weights clipped to [-1, 1]"),
            _ => new(o with { Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, BatchSize = mnistLike ? 100 : 64, Epochs = 10 },
                InitScheme.Default, augment, "generic fallback (Adam lr 1e-3)"),
        };
    }

    /// <summary>
    /// The built-in recipe as the bottom layer of a run spec (<see cref="RunSpecLayerKind.BuiltInRecipe"/>): every training
    /// option, the model's initialisation, the augmentation preset and where the recipe comes from.
    /// </summary>
    public static RunSpecLayer Layer(string modelName, string dataSpec)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataSpec);
        var recipe = For(modelName, ModelZoo.Data.DataSpec.IsMnistLike(dataSpec) ? "mnist" : "folder");
        var json = new RunSpec
        {
            ModelOptions = new ModelOptions { Init = recipe.Init },
            DataOptions = new RunDataOptions { Augment = recipe.Augment },
            Training = recipe.Options,
            Recipe = recipe.Source,
        }.ToJson();
        var values = new System.Text.Json.Nodes.JsonObject
        {
            ["training"] = json["training"]!.DeepClone(),
            ["modelOptions"] = new System.Text.Json.Nodes.JsonObject { ["init"] = json["modelOptions"]!["init"]!.DeepClone() },
            ["dataOptions"] = new System.Text.Json.Nodes.JsonObject { ["augment"] = recipe.Augment },
            ["recipe"] = recipe.Source,
        };
        return new RunSpecLayer(RunSpecLayerKind.BuiltInRecipe, recipe.Source, values);
    }

    private static string FamilyOf(string modelName)
    {
        try
        {
            return Zoo.Card(modelName).Family;
        }
        catch (UnknownModelException)
        {
            return "";
        }
    }
}
