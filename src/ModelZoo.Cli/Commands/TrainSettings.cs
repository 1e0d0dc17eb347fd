using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// Options of <c>modelzoo train</c>. Every option marked <see cref="SpecFieldAttribute"/> is a field of the run
/// specification under the same name (<c>--learning-rate</c> is <c>training.learningRate</c> is
/// <c>TrainingOptions.LearningRate</c>; shorter spellings such as <c>--lr</c> stay as aliases); the command line is the
/// top layer of the spec and the library checks it. The rest drive the command (output, resume, recipe file, display).
/// </summary>
public sealed class TrainSettings : ComputeSettings
{
    /// <summary>Model name or family alias.</summary>
    [CommandOption("-m|--model <NAME>")]
    [SpecField("model")]
    [Description("Zoo model name or family alias (deepcnn, resnet18, resnet, vgg16_bn, googlenet...). Optional with --resume.")]
    public string? Model { get; init; }

    /// <summary>Data spec.</summary>
    [CommandOption("-d|--data <SPEC>")]
    [SpecField("data")]
    [Description("mnist, fashion-mnist, mnist-sample, an IDX folder or an ImageNet-format folder. Optional with --resume.")]
    public string? Data { get; init; }

    /// <summary>Pretrained weights to start from.</summary>
    [CommandOption("--pretrained <NAME|URL|FILE>")]
    [SpecField("pretrained")]
    [Description("Start from these weights: known weights (resnet50.tv2_in1k, or resnet50 for its default; downloaded once, verified, cached), a URL, or a torchvision .pth/.pt or .safetensors file. The classifier is re-initialised for the data's classes, the first conv adapted to its channels.")]
    public string? Pretrained { get; init; }

    /// <summary>SHA-256 of a --pretrained URL or file (issue 25).</summary>
    [CommandOption("--sha256 <HEX>")]
    [Description("With --pretrained URL or FILE: its SHA-256 (64 hex digits, or a prefix of at least 8), checked before use.")]
    public string? Sha256 { get; init; }

    /// <summary>Epochs.</summary>
    [CommandOption("--epochs <N>")]
    [SpecField("training.epochs")]
    [Description("Number of epochs (default per model and data set).")]
    public int? Epochs { get; init; }

    /// <summary>Batch size.</summary>
    [CommandOption("--batch-size <N>")]
    [SpecField("training.batchSize")]
    [Description("Mini-batch size per process (default: the recipe's, made smaller where it would not fit this machine's memory or would give an epoch few steps).")]
    public int? BatchSize { get; init; }

    /// <summary>Optimiser.</summary>
    [CommandOption("--optimizer <NAME>")]
    [SpecField("training.optimizer")]
    [Description("sgd, momentum, nesterov, adagrad, adam or adamw.")]
    public string? Optimizer { get; init; }

    /// <summary>Learning rate.</summary>
    [CommandOption("--learning-rate|--lr <RATE>")]
    [SpecField("training.learningRate")]
    [Description("Base (peak) learning rate (default: the recipe's, scaled linearly when the effective batch differs from the recipe's). Also --lr.")]
    public double? LearningRate { get; init; }

    /// <summary>Backbone learning rate for fine-tuning.</summary>
    [CommandOption("--backbone-learning-rate|--lr-backbone <RATE>")]
    [SpecField("training.backboneLearningRate")]
    [Description("Peak learning rate of everything outside the classifier (discriminative fine-tuning; the classifier keeps --learning-rate, the schedule scales both). Not with --freeze-backbone. Also --lr-backbone.")]
    public double? BackboneLearningRate { get; init; }

    /// <summary>Weight decay.</summary>
    [CommandOption("--weight-decay <WD>")]
    [SpecField("training.weightDecay")]
    [Description("Weight decay (L2; decoupled for adamw).")]
    public double? WeightDecay { get; init; }

    /// <summary>Momentum.</summary>
    [CommandOption("--momentum <M>")]
    [SpecField("training.momentum")]
    [Description("Momentum for momentum/nesterov (default 0.9).")]
    public double? Momentum { get; init; }

    /// <summary>Schedule.</summary>
    [CommandOption("--schedule <NAME>")]
    [SpecField("training.schedule")]
    [Description("constant, step, cosine or onecycle.")]
    public string? Schedule { get; init; }

    /// <summary>Warm-up epochs.</summary>
    [CommandOption("--warmup-epochs <N>")]
    [SpecField("training.warmupEpochs")]
    [Description("Epochs of linear learning-rate warm-up.")]
    public double? WarmupEpochs { get; init; }

    /// <summary>Step schedule: epochs between decays.</summary>
    [CommandOption("--step-epochs <N>")]
    [SpecField("training.stepEpochs")]
    [Description("With --schedule step: epochs between decays (default 30).")]
    public int? StepEpochs { get; init; }

    /// <summary>Step schedule: decay factor.</summary>
    [CommandOption("--step-gamma <FACTOR>")]
    [SpecField("training.stepGamma")]
    [Description("With --schedule step: the factor of each decay (default 0.1).")]
    public double? StepGamma { get; init; }

    /// <summary>Init scheme.</summary>
    [CommandOption("--init <SCHEME>")]
    [SpecField("modelOptions.init")]
    [Description("Weight initialisation: normal (std 0.01), xavier, he, or default (the family's torchvision default).")]
    public string? Init { get; init; }

    /// <summary>Label smoothing.</summary>
    [CommandOption("--label-smoothing <EPS>")]
    [SpecField("training.labelSmoothing")]
    [Description("Label smoothing, from 0 (off) up to but excluding 1.")]
    public double? LabelSmoothing { get; init; }

    /// <summary>Dropout.</summary>
    [CommandOption("--dropout <P>")]
    [SpecField("modelOptions.dropout")]
    [Description("Classifier dropout probability (default per model).")]
    public double? Dropout { get; init; }

    /// <summary>Augmentation preset.</summary>
    [CommandOption("--augment <PRESET>")]
    [SpecField("dataOptions.augment")]
    [Description("Augmentation preset: none, mnist, imagenet, light, strong, randaugment or trivialaugment. Default per data set (mnist for MNIST-like data, imagenet for folders).")]
    public string? Augment { get; init; }

    /// <summary>Image size.</summary>
    [CommandOption("--image-size <N>")]
    [SpecField("dataOptions.imageSize")]
    [Description("Square input size (default: native size of small data sets, 224 for folders).")]
    public int? ImageSize { get; init; }

    /// <summary>Validation split.</summary>
    [CommandOption("--validation-split|--val-split <FRACTION>")]
    [SpecField("dataOptions.validationSplit")]
    [Description("Fraction of the training data held out (stratified, seeded) for validation. Default 0: the data set's own split (MNIST family: the test files; a folder with train/ and val/: val/; any other folder: 10%). Also --val-split.")]
    public double? ValidationSplit { get; init; }

    /// <summary>Bad image policy.</summary>
    [CommandOption("--on-bad-image <POLICY>")]
    [SpecField("dataOptions.onBadImage")]
    [Description("fail (default) or skip undecodable images (more than --max-bad-fraction bad is an error either way; skipped files are listed in bad-images.tsv in the run folder).")]
    public string? OnBadImage { get; init; }

    /// <summary>Largest tolerated fraction of bad images.</summary>
    [CommandOption("--max-bad-fraction <FRACTION>")]
    [SpecField("dataOptions.maxBadFraction")]
    [Description("With --on-bad-image skip: the largest fraction of undecodable images tolerated per split (default 0.01 = 1%).")]
    public double? MaxBadFraction { get; init; }

    /// <summary>Loader worker threads.</summary>
    [CommandOption("--workers <N>")]
    [SpecField("dataOptions.workers")]
    [Description("Data loader threads; 0 loads in-line on the training thread (default: 0 for MNIST-like data, --threads for folders).")]
    public int? Workers { get; init; }

    /// <summary>Seed.</summary>
    [CommandOption("--seed <N>")]
    [SpecField("training.seed")]
    [Description("Random seed (init, shuffling, augmentation, dropout). Default 42.")]
    public long? Seed { get; init; }

    /// <summary>Early stopping patience.</summary>
    [CommandOption("--early-stop-patience|--early-stop <PATIENCE>")]
    [SpecField("training.earlyStopPatience")]
    [Description("Stop after this many epochs without improvement of validation accuracy. Also --early-stop.")]
    public int? EarlyStopPatience { get; init; }

    /// <summary>Max steps per epoch.</summary>
    [CommandOption("--max-steps-per-epoch|--max-steps <N>")]
    [SpecField("training.maxStepsPerEpoch")]
    [Description("At most N optimiser steps per epoch (CI-sized runs). Also --max-steps.")]
    public int? MaxStepsPerEpoch { get; init; }

    /// <summary>No TensorBoard files.</summary>
    [CommandOption("--no-tensorboard")]
    [SpecField("training.tensorBoard", Value = false)]
    [Description("Do not write TensorBoard event files.")]
    public bool NoTensorBoard { get; init; }

    /// <summary>Train the head only.</summary>
    [CommandOption("--freeze-backbone")]
    [SpecField("training.freezeBackbone")]
    [Description("Train the classifier only; the backbone's weights and batch-norm statistics stay fixed.")]
    public bool FreezeBackbone { get; init; }

    /// <summary>Gradient norm clipping.</summary>
    [CommandOption("--clip-grad-norm|--clip-grad <NORM>")]
    [SpecField("training.clipGradNorm")]
    [Description("Clip the total L2 norm of the gradients to NORM before every optimiser step. Also --clip-grad.")]
    public double? ClipGradNorm { get; init; }

    /// <summary>Gradient value clipping.</summary>
    [CommandOption("--clip-grad-value <V>")]
    [SpecField("training.clipGradValue")]
    [Description("Clamp every gradient element to [[-V, V]] before every optimiser step (after --clip-grad-norm).")]
    public double? ClipGradValue { get; init; }

    /// <summary>Gradient accumulation.</summary>
    [CommandOption("--accumulation-steps|--accum-steps <K>")]
    [SpecField("training.accumulationSteps")]
    [Description("Gradient accumulation: K batches per optimiser step (effective batch K x --batch-size); the schedule counts optimiser steps. Also --accum-steps.")]
    public int? AccumulationSteps { get; init; }

    /// <summary>No weight decay on biases and norm parameters.</summary>
    [CommandOption("--no-decay-norm-and-bias|--no-decay-norm-bias")]
    [SpecField("training.noDecayNormAndBias")]
    [Description("No weight decay on biases and normalisation parameters (every parameter of rank 0 or 1), as timm does. Also --no-decay-norm-bias.")]
    public bool NoDecayNormAndBias { get; init; }

    /// <summary>Model EMA decay.</summary>
    [CommandOption("--ema-decay|--ema <DECAY>")]
    [SpecField("training.emaDecay")]
    [Description("Keep an exponential moving average of the weights with this decay (e.g. 0.9998), validated each epoch (val_acc_ema) and saved in checkpoints; evaluate/export it with --ema. Also --ema.")]
    public double? EmaDecay { get; init; }

    /// <summary>EMA warm-up.</summary>
    [CommandOption("--ema-warmup")]
    [SpecField("training.emaWarmup")]
    [Description("Warm the EMA decay up as timm's ModelEmaV3: min(DECAY, 1 - (1 + step)^(-2/3)).")]
    public bool EmaWarmup { get; init; }

    /// <summary>Mixup alpha.</summary>
    [CommandOption("--mixup-alpha|--mixup <ALPHA>")]
    [SpecField("training.mixupAlpha")]
    [Description("Mixup with Beta(ALPHA, ALPHA) weights (timm: 0.8); 0 off. Also --mixup.")]
    public double? MixupAlpha { get; init; }

    /// <summary>CutMix alpha.</summary>
    [CommandOption("--cutmix-alpha|--cutmix <ALPHA>")]
    [SpecField("training.cutMixAlpha")]
    [Description("CutMix with Beta(ALPHA, ALPHA) areas (timm: 1.0); 0 off. Also --cutmix.")]
    public double? CutMixAlpha { get; init; }

    /// <summary>Mix probability.</summary>
    [CommandOption("--mix-probability|--mix-prob <P>")]
    [SpecField("training.mixProbability")]
    [Description("Probability that a batch is mixed by mixup or CutMix (default 1). Also --mix-prob.")]
    public double? MixProbability { get; init; }

    /// <summary>Mixup/CutMix switch probability.</summary>
    [CommandOption("--mix-switch-probability|--mix-switch-prob <P>")]
    [SpecField("training.mixSwitchProbability")]
    [Description("With both mixup and CutMix: probability of CutMix for a mixed batch (default 0.5). Also --mix-switch-prob.")]
    public double? MixSwitchProbability { get; init; }

    /// <summary>Resume folder or checkpoint.</summary>
    [CommandOption("--resume <DIR>")]
    [Description("Continue a run from its folder (checkpoints/last.ckpt) or a checkpoint file; options given again replace the recorded ones.")]
    public string? Resume { get; init; }

    /// <summary>Recipe file.</summary>
    [CommandOption("--config <FILE>")]
    [Description("Recipe file, JSON or YAML (the schema of config.json and --print-config): model, data and any options; command-line options override it.")]
    public string? Config { get; init; }

    /// <summary>Print the merged configuration and exit.</summary>
    [CommandOption("--print-config")]
    [Description("Print the run specification as it would run (built-in recipe < --config < command line, with the batch and learning-rate choices) as a recipe file and exit 0 without training.")]
    public bool PrintConfig { get; init; }

    /// <summary>No linear lr scaling.</summary>
    [CommandOption("--no-lr-scale")]
    [Description("Keep the recipe's learning rate when the effective batch changes (by default it is scaled linearly; a --learning-rate you give is never scaled).")]
    public bool NoLrScale { get; init; }

    /// <summary>Data-parallel backend.</summary>
    [CommandOption("--distributed <MODE>")]
    [Description("auto (default: MPI when started by mpirun/mpiexec/srun), mpi, or none. Under MPI --batch-size is per process and every process trains on its shard of the data.")]
    public string? Distributed { get; init; }

    /// <summary>Seconds between progress refreshes.</summary>
    [CommandOption("--progress-interval <SECONDS>")]
    [Description("Seconds between progress updates: the live view (default 2) and redirected output (default 10).")]
    public double? ProgressInterval { get; init; }

    /// <summary>
    /// Checks what only the command line can get wrong (missing model and data, options that exclude each other,
    /// files that are not there); every value of the run specification is checked by the library, once.
    /// </summary>
    public override ValidationResult Validate()
    {
        if (Resume is null && Config is null && (string.IsNullOrWhiteSpace(Model) || string.IsNullOrWhiteSpace(Data)))
            return ValidationResult.Error("--model and --data are required (unless --resume or --config is given)");
        if (Config is not null && InputPaths.FileProblem("--config", Config) is string badConfig) return ValidationResult.Error(badConfig);
        if (Config is not null && Resume is not null) return ValidationResult.Error("--config starts a new run; a resumed run takes its recipe from the checkpoint");
        if (ChannelsLast && NoChannelsLast) return ValidationResult.Error("--channels-last and --no-channels-last cannot both be given");
        if (Distributed is not null and not ("auto" or "mpi" or "none")) return ValidationResult.Error($"--distributed must be auto, mpi or none, not '{Distributed}'");
        if (ProgressInterval is not null && !(ProgressInterval >= 0.05 && ProgressInterval <= 3600)) return ValidationResult.Error("--progress-interval must be between 0.05 and 3600 seconds");
        if (Overwrite && Resume is not null && Output is null) return ValidationResult.Error("--overwrite replaces a folder with a new run; --resume continues the run in its own folder");
        if (Pretrained is not null && Resume is not null) return ValidationResult.Error("--pretrained starts a new run; a resumed run takes its weights from the checkpoint");
        if (Pretrained is not null && WeightsSource.Problem("--pretrained", Pretrained) is string badWeights) return ValidationResult.Error(badWeights);
        if (!string.IsNullOrWhiteSpace(Data) && InputPaths.DataProblem("--data", Data) is string badData) return ValidationResult.Error(badData);
        return ValidationResult.Success();
    }
}
