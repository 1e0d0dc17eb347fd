using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ModelZoo.Cli.Commands;

/// <summary>Options of <c>modelzoo train</c>. Unset options take the model/data default (docs/training.md).</summary>
public sealed class TrainSettings : CommandSettings
{
    /// <summary>Model name or family alias.</summary>
    [CommandOption("-m|--model <NAME>")]
    [Description("Zoo model name or family alias (deepcnn, resnet18, resnet, vgg16_bn, googlenet...). Optional with --resume.")]
    public string? Model { get; init; }

    /// <summary>Data spec.</summary>
    [CommandOption("-d|--data <SPEC>")]
    [Description("mnist, fashion-mnist, mnist-sample, an IDX folder or an ImageNet-format folder. Optional with --resume.")]
    public string? Data { get; init; }

    /// <summary>Epochs.</summary>
    [CommandOption("--epochs <N>")]
    [Description("Number of epochs (default per model and data set).")]
    public int? Epochs { get; init; }

    /// <summary>Batch size.</summary>
    [CommandOption("--batch-size <N>")]
    [Description("Mini-batch size.")]
    public int? BatchSize { get; init; }

    /// <summary>Optimiser.</summary>
    [CommandOption("--optimizer <NAME>")]
    [Description("sgd, momentum, nesterov, adagrad, adam or adamw.")]
    public string? Optimizer { get; init; }

    /// <summary>Learning rate.</summary>
    [CommandOption("--lr <RATE>")]
    [Description("Base (peak) learning rate.")]
    public double? LearningRate { get; init; }

    /// <summary>Weight decay.</summary>
    [CommandOption("--weight-decay <WD>")]
    [Description("Weight decay (L2; decoupled for adamw).")]
    public double? WeightDecay { get; init; }

    /// <summary>Momentum.</summary>
    [CommandOption("--momentum <M>")]
    [Description("Momentum for momentum/nesterov (default 0.9).")]
    public double? Momentum { get; init; }

    /// <summary>Schedule.</summary>
    [CommandOption("--schedule <NAME>")]
    [Description("constant, step, cosine or onecycle.")]
    public string? Schedule { get; init; }

    /// <summary>Warm-up epochs.</summary>
    [CommandOption("--warmup-epochs <N>")]
    [Description("Epochs of linear learning-rate warm-up.")]
    public double? WarmupEpochs { get; init; }

    /// <summary>Init scheme.</summary>
    [CommandOption("--init <SCHEME>")]
    [Description("Weight initialisation: normal (std 0.01), xavier, he, or default (the family's torchvision default).")]
    public string? Init { get; init; }

    /// <summary>Label smoothing.</summary>
    [CommandOption("--label-smoothing <EPS>")]
    [Description("Label smoothing, from 0 (off) up to but excluding 1.")]
    public double? LabelSmoothing { get; init; }

    /// <summary>Dropout.</summary>
    [CommandOption("--dropout <P>")]
    [Description("Classifier dropout probability (default per model).")]
    public double? Dropout { get; init; }

    /// <summary>Augmentation preset.</summary>
    [CommandOption("--augment <PRESET>")]
    [Description("Augmentation preset: none, mnist, imagenet, light, strong, randaugment or trivialaugment. Default per data set (mnist for MNIST-like data, imagenet for folders).")]
    public string? Augment { get; init; }

    /// <summary>Image size.</summary>
    [CommandOption("--image-size <N>")]
    [Description("Square input size (default: native size of small data sets, 224 for folders).")]
    public int? ImageSize { get; init; }

    /// <summary>Validation split.</summary>
    [CommandOption("--val-split <FRACTION>")]
    [Description("Fraction of the training data held out (stratified, seeded) for validation. Default 0: the data set's own split (MNIST family: the test files; a folder with train/ and val/: val/; any other folder: 10%).")]
    public double? ValidationSplit { get; init; }

    /// <summary>Seed.</summary>
    [CommandOption("--seed <N>")]
    [Description("Random seed (init, shuffling, augmentation, dropout). Default 42.")]
    public long? Seed { get; init; }

    /// <summary>Device.</summary>
    [CommandOption("--device <DEVICE>")]
    [Description("cpu, cuda or cuda:N. Default cpu.")]
    public string? Device { get; init; }

    /// <summary>Threads.</summary>
    [CommandOption("--threads <N>")]
    [Description("CPU threads for torch and data workers (default: number of cores).")]
    public int? Threads { get; init; }

    /// <summary>Loader worker threads.</summary>
    [CommandOption("--workers <N>")]
    [Description("Data loader threads; 0 loads in-line on the training thread (default: 0 for MNIST-like data, --threads for folders).")]
    public int? Workers { get; init; }

    /// <summary>Output folder.</summary>
    [CommandOption("-o|--output <DIR>")]
    [Description("Run folder (default runs/<model>-<yyyyMMdd-HHmmss>; with --resume, the resumed folder).")]
    public string? Output { get; init; }

    /// <summary>Replace a non-empty output folder.</summary>
    [CommandOption("--overwrite")]
    [Description("Replace a non-empty --output folder (the old run is kept aside until the new one has written its first checkpoint).")]
    public bool Overwrite { get; init; }

    /// <summary>Data-parallel backend.</summary>
    [CommandOption("--distributed <MODE>")]
    [Description("auto (default: MPI when started by mpirun/mpiexec/srun), mpi, or none. Under MPI --batch-size is per process and every process trains on its shard of the data.")]
    public string? Distributed { get; init; }

    /// <summary>Largest tolerated fraction of bad images.</summary>
    [CommandOption("--max-bad-fraction <FRACTION>")]
    [Description("With --on-bad-image skip: the largest fraction of undecodable images tolerated per split (default 0.01 = 1%).")]
    public double? MaxBadFraction { get; init; }

    /// <summary>Seconds between progress refreshes.</summary>
    [CommandOption("--progress-interval <SECONDS>")]
    [Description("Seconds between progress updates: the live view (default 2) and redirected output (default 10).")]
    public double? ProgressInterval { get; init; }

    /// <summary>Pretrained weights to start from.</summary>
    [CommandOption("--pretrained <NAME|URL|FILE>")]
    [Description("Start from these weights: known weights (resnet50.tv2_in1k, or resnet50 for its default; downloaded once, verified, cached), a URL, or a torchvision .pth/.pt or .safetensors file. The classifier is re-initialised for the data's classes, the first conv adapted to its channels.")]
    public string? Pretrained { get; init; }

    /// <summary>SHA-256 of a --pretrained URL or file (issue 25).</summary>
    [CommandOption("--sha256 <HEX>")]
    [Description("With --pretrained URL or FILE: its SHA-256 (64 hex digits, or a prefix of at least 8), checked before use.")]
    public string? Sha256 { get; init; }

    /// <summary>Train the head only.</summary>
    [CommandOption("--freeze-backbone")]
    [Description("Train the classifier only; the backbone's weights and batch-norm statistics stay fixed.")]
    public bool FreezeBackbone { get; init; }

    /// <summary>Backbone learning rate for fine-tuning.</summary>
    [CommandOption("--lr-backbone <RATE>")]
    [Description("Peak learning rate of everything outside the classifier (discriminative fine-tuning; the classifier keeps --lr, the schedule scales both). Not with --freeze-backbone.")]
    public double? LearningRateBackbone { get; init; }

    /// <summary>Resume folder or checkpoint.</summary>
    [CommandOption("--resume <DIR>")]
    [Description("Continue a run from its folder (checkpoints/last.ckpt) or a checkpoint file.")]
    public string? Resume { get; init; }

    /// <summary>Early stopping patience.</summary>
    [CommandOption("--early-stop <PATIENCE>")]
    [Description("Stop after this many epochs without improvement of validation accuracy.")]
    public int? EarlyStop { get; init; }

    /// <summary>Bad image policy.</summary>
    [CommandOption("--on-bad-image <POLICY>")]
    [Description("fail (default) or skip undecodable images (more than --max-bad-fraction bad is an error either way; skipped files are listed in bad-images.tsv in the run folder).")]
    public string? OnBadImage { get; init; }

    /// <summary>Max steps per epoch.</summary>
    [CommandOption("--max-steps <N>")]
    [Description("At most N steps per epoch (CI-sized runs).")]
    public int? MaxSteps { get; init; }

    /// <summary>No TensorBoard files.</summary>
    [CommandOption("--no-tensorboard")]
    [Description("Do not write TensorBoard event files.")]
    public bool NoTensorBoard { get; init; }

    /// <summary>Recipe file.</summary>
    [CommandOption("--config <FILE>")]
    [Description("Recipe file, JSON or YAML (e.g. recipes/deepcnn-mnist.json): model, data and any training/data options; command-line options override it.")]
    public string? Config { get; init; }

    /// <summary>Print the merged configuration and exit.</summary>
    [CommandOption("--print-config")]
    [Description("Print the merged configuration (built-in recipe < --config < command line, lr scaling applied) as a recipe file and exit 0 without training.")]
    public bool PrintConfig { get; init; }

    /// <summary>Gradient norm clipping.</summary>
    [CommandOption("--clip-grad <NORM>")]
    [Description("Clip the total L2 norm of the gradients to NORM before every optimiser step.")]
    public double? ClipGrad { get; init; }

    /// <summary>Gradient value clipping.</summary>
    [CommandOption("--clip-grad-value <V>")]
    [Description("Clamp every gradient element to [[-V, V]] before every optimiser step (after --clip-grad).")]
    public double? ClipGradValue { get; init; }

    /// <summary>Gradient accumulation.</summary>
    [CommandOption("--accum-steps <K>")]
    [Description("Gradient accumulation: K batches per optimiser step (effective batch K x --batch-size); the schedule counts optimiser steps.")]
    public int? AccumSteps { get; init; }

    /// <summary>No weight decay on biases and norm parameters.</summary>
    [CommandOption("--no-decay-norm-bias")]
    [Description("No weight decay on biases and normalisation parameters (every parameter of rank 0 or 1), as timm does.")]
    public bool NoDecayNormBias { get; init; }

    /// <summary>Model EMA decay.</summary>
    [CommandOption("--ema <DECAY>")]
    [Description("Keep an exponential moving average of the weights with this decay (e.g. 0.9998), validated each epoch (val_acc_ema) and saved in checkpoints; evaluate/export it with --ema.")]
    public double? Ema { get; init; }

    /// <summary>EMA warm-up.</summary>
    [CommandOption("--ema-warmup")]
    [Description("Warm the EMA decay up as timm's ModelEmaV3: min(DECAY, 1 - (1 + step)^(-2/3)).")]
    public bool EmaWarmup { get; init; }

    /// <summary>Compute precision.</summary>
    [CommandOption("--precision <NAME>")]
    [Description("fp32 (default), bf16 or fp16: the forward pass computes convolutions and matrix products in 16 bits (autocast) with float32 master weights; fp16 adds dynamic loss scaling. bf16 is fast on CPUs with AVX512-BF16 or AMX.")]
    public string? Precision { get; init; }

    /// <summary>Channels-last memory format on.</summary>
    [CommandOption("--channels-last")]
    [Description("Give the model and its batches the channels-last (NHWC) memory format (resnet18 trained about 1.3x faster with it in fp32, googlenet 1.5x). Default: on, on CPU.")]
    public bool ChannelsLast { get; init; }

    /// <summary>Channels-last memory format off.</summary>
    [CommandOption("--no-channels-last")]
    [Description("Keep the NCHW memory format (or turn off a recorded --channels-last on resume).")]
    public bool NoChannelsLast { get; init; }

    /// <summary>Mixup alpha.</summary>
    [CommandOption("--mixup <ALPHA>")]
    [Description("Mixup with Beta(ALPHA, ALPHA) weights (timm: 0.8); 0 off.")]
    public double? Mixup { get; init; }

    /// <summary>CutMix alpha.</summary>
    [CommandOption("--cutmix <ALPHA>")]
    [Description("CutMix with Beta(ALPHA, ALPHA) areas (timm: 1.0); 0 off.")]
    public double? CutMix { get; init; }

    /// <summary>Mix probability.</summary>
    [CommandOption("--mix-prob <P>")]
    [Description("Probability that a batch is mixed by mixup or CutMix (default 1).")]
    public double? MixProb { get; init; }

    /// <summary>Mixup/CutMix switch probability.</summary>
    [CommandOption("--mix-switch-prob <P>")]
    [Description("With both --mixup and --cutmix: probability of CutMix for a mixed batch (default 0.5).")]
    public double? MixSwitchProb { get; init; }

    /// <summary>No linear lr scaling.</summary>
    [CommandOption("--no-lr-scale")]
    [Description("Keep the recipe's --lr when --batch-size or --accum-steps change its effective batch (by default it is scaled linearly, unless --lr is given).")]
    public bool NoLrScale { get; init; }

    /// <summary>JSON summary.</summary>
    [CommandOption("--json")]
    [Description("Print the final summary as JSON on stdout (progress goes to stderr).")]
    public bool Json { get; init; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        if (Resume is null && Config is null && (string.IsNullOrWhiteSpace(Model) || string.IsNullOrWhiteSpace(Data)))
            return ValidationResult.Error("--model and --data are required (unless --resume or --config is given)");
        if (Config is not null && InputPaths.FileProblem("--config", Config) is string badConfig) return ValidationResult.Error(badConfig);
        if (Config is not null && Resume is not null) return ValidationResult.Error("--config starts a new run; a resumed run takes its recipe from the checkpoint");
        if (ClipGrad is not null && !(ClipGrad > 0)) return ValidationResult.Error("--clip-grad must be positive");
        if (ClipGradValue is not null && !(ClipGradValue > 0)) return ValidationResult.Error("--clip-grad-value must be positive");
        if (AccumSteps is < 1) return ValidationResult.Error("--accum-steps must be at least 1");
        if (Ema is not null && !(Ema is >= 0 and < 1)) return ValidationResult.Error("--ema must be in [0, 1)");
        if (Mixup is not null && !(Mixup >= 0)) return ValidationResult.Error("--mixup must be 0 or more");
        if (CutMix is not null && !(CutMix >= 0)) return ValidationResult.Error("--cutmix must be 0 or more");
        if (MixProb is not null && !(MixProb is >= 0 and <= 1)) return ValidationResult.Error("--mix-prob must be in [0, 1]");
        if (MixSwitchProb is not null && !(MixSwitchProb is >= 0 and <= 1)) return ValidationResult.Error("--mix-switch-prob must be in [0, 1]");
        if (Precision is not null && !TrainOptionParsing.TryPrecision(Precision, out _))
            return ValidationResult.Error($"--precision must be fp32, bf16 or fp16, not '{Precision}'");
        if (ChannelsLast && NoChannelsLast) return ValidationResult.Error("--channels-last and --no-channels-last cannot both be given");
        if (Optimizer is not null && !TrainOptionParsing.TryOptimizer(Optimizer, out _))
            return ValidationResult.Error($"--optimizer must be sgd, momentum, nesterov, adagrad, adam or adamw, not '{Optimizer}'");
        if (Schedule is not null && !TrainOptionParsing.TrySchedule(Schedule, out _))
            return ValidationResult.Error($"--schedule must be constant, step, cosine or onecycle, not '{Schedule}'");
        if (Init is not null && !TrainOptionParsing.TryInit(Init, out _))
            return ValidationResult.Error($"--init must be normal, xavier, he or default, not '{Init}'");
        if (OnBadImage is not null and not ("fail" or "skip"))
            return ValidationResult.Error($"--on-bad-image must be fail or skip, not '{OnBadImage}'");
        if (Epochs is < 1) return ValidationResult.Error("--epochs must be at least 1");
        if (BatchSize is < 1) return ValidationResult.Error("--batch-size must be at least 1");
        if (LearningRate is not null && !(LearningRate > 0)) return ValidationResult.Error("--lr must be positive");
        if (LearningRateBackbone is not null && !(LearningRateBackbone > 0)) return ValidationResult.Error("--lr-backbone must be positive");
        if (LearningRateBackbone is not null && FreezeBackbone) return ValidationResult.Error("--lr-backbone and --freeze-backbone exclude each other: a frozen backbone has no learning rate");
        if (ImageSize is < 8 or > 4096) return ValidationResult.Error("--image-size must be between 8 and 4096");
        if (ValidationSplit is < 0 or >= 1) return ValidationResult.Error("--val-split must be in [0, 1)");
        if (Threads is < 1) return ValidationResult.Error("--threads must be at least 1");
        if (Workers is < 0) return ValidationResult.Error("--workers must be 0 (in-line) or more");
        if (MaxSteps is < 1) return ValidationResult.Error("--max-steps must be at least 1");
        if (EarlyStop is < 1) return ValidationResult.Error("--early-stop must be at least 1");
        if (Dropout is < 0 or >= 1) return ValidationResult.Error("--dropout must be in [0, 1)");
        if (Augment is not null && !ModelZoo.Data.Transforms.TransformPresets.Names.Contains(Augment, StringComparer.OrdinalIgnoreCase))
            return ValidationResult.Error($"--augment must be {string.Join(", ", ModelZoo.Data.Transforms.TransformPresets.Names)}, not '{Augment}'{Suggestions.DidYouMean(Augment, ModelZoo.Data.Transforms.TransformPresets.Names)}");
        if (Distributed is not null and not ("auto" or "mpi" or "none")) return ValidationResult.Error($"--distributed must be auto, mpi or none, not '{Distributed}'");
        if (MaxBadFraction is < 0 or > 1) return ValidationResult.Error("--max-bad-fraction must be in [0, 1]");
        if (ProgressInterval is not null && !(ProgressInterval >= 0.05 && ProgressInterval <= 3600)) return ValidationResult.Error("--progress-interval must be between 0.05 and 3600 seconds");
        if (Overwrite && Resume is not null && Output is null) return ValidationResult.Error("--overwrite replaces a folder with a new run; --resume continues the run in its own folder");
        if (Pretrained is not null && Resume is not null) return ValidationResult.Error("--pretrained starts a new run; a resumed run takes its weights from the checkpoint");
        if (Pretrained is not null && WeightsSource.Problem("--pretrained", Pretrained) is string badWeights) return ValidationResult.Error(badWeights);
        if (!string.IsNullOrWhiteSpace(Data) && InputPaths.DataProblem("--data", Data) is string badData) return ValidationResult.Error(badData);
        return ValidationResult.Success();
    }
}
