using ModelZoo.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Training.Experiments;

/// <summary>
/// The learning-rate range test (L. Smith, "Cyclical learning rates", 2015; fastai's <c>lr_find</c>): train with a
/// rate that grows exponentially from a tiny to a huge value, one step each, record the smoothed loss, stop once it
/// diverges, and suggest the rate where the loss falls fastest. Runs on the library's <see cref="Trainer"/> (no run
/// folder) through its open loop: the sweep is the trainer's schedule (<see cref="Trainer.Schedule"/>) and reads each
/// step's loss at the step's end; the model's weights are changed by the sweep (use a fresh model for training afterwards).
/// </summary>
public static class LearningRateFinder
{
    /// <summary>
    /// The spec layer of a sweep (above the built-in recipe, below the command line): as many epochs as steps (the
    /// training split repeats when it is shorter), a constant schedule at the start rate (the sweep sets each step's
    /// rate), no validation, no TensorBoard files, no augmentation unless asked.
    /// </summary>
    public static RunSpecLayer SpecLayer(LearningRateFinderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        var values = new System.Text.Json.Nodes.JsonObject
        {
            ["training"] = new System.Text.Json.Nodes.JsonObject
            {
                ["epochs"] = options.Steps,
                ["maxStepsPerEpoch"] = null,
                ["schedule"] = "constant",
                ["warmupEpochs"] = 0,
                ["learningRate"] = options.StartLearningRate,
                ["validateEachEpoch"] = false,
                ["tensorBoard"] = false,
                ["earlyStopPatience"] = null,
            },
            ["dataOptions"] = new System.Text.Json.Nodes.JsonObject { ["augment"] = "none" },
        };
        return new RunSpecLayer(RunSpecLayerKind.Code, "the learning-rate range test", values);
    }

    /// <summary>Sweeps the model of <paramref name="session"/> (prepared with <see cref="SpecLayer"/>; no run folder) on its training data.</summary>
    public static LearningRateFinderResult Run(TrainingSession session, LearningRateFinderOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        return Run(session.Trainer, session.Data.Train, options, cancellationToken);
    }

    /// <summary>
    /// Sweeps <paramref name="trainer"/>'s model on <paramref name="train"/>: one step per batch for
    /// <see cref="LearningRateFinderOptions.Steps"/> steps (the trainer's options must allow that many: see
    /// <see cref="SpecLayer"/>), each at the sweep's rate. The model's weights are changed by the sweep.
    /// </summary>
    /// <exception cref="ArgumentException">Invalid options, an empty source, or too few epochs for the sweep.</exception>
    public static LearningRateFinderResult Run(Trainer trainer, IBatchSource train, LearningRateFinderOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureValid();
        if (train.BatchesPerEpoch < 1) throw new ArgumentException("the training source has no batches");
        long available = (long)trainer.Options.Epochs * Math.Min(train.BatchesPerEpoch, trainer.Options.MaxStepsPerEpoch ?? int.MaxValue);
        if (available < options.Steps) throw new ArgumentException($"the trainer's options allow {available} steps, fewer than the sweep's {options.Steps}");
        trainer.ProgressInterval = 1;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The sweep is the trainer's schedule (step k of the sweep at rate RateAt(k)) and reads each step's loss at its end.
        trainer.Schedule = new SweepSchedule(options, trainer.Step);
        var sweep = new Sweep(options, stop);
        trainer.Callbacks.Add(sweep);
        try
        {
            trainer.Fit(train, null, stop.Token);
        }
        catch (NonFiniteLossException)
        {
            sweep.Diverged = true;
        }
        finally
        {
            trainer.Callbacks.Remove(sweep);
        }
        var points = sweep.Points;
        bool diverged = sweep.Diverged;
        double? minimum = null;
        if (points.Count > 0)
        {
            double[] centred = Centred(points.Select(p => p.Loss).ToArray(), Math.Max(1, points.Count / 20));
            minimum = points[Array.IndexOf(centred, centred.Min())].LearningRate;
        }
        return new LearningRateFinderResult(points, Suggest(points), diverged, minimum);
    }

    /// <summary>
    /// The rate of steepest descent: the point where the loss falls fastest per unit of log rate (fastai's "steep"
    /// suggestion), among the points before the lowest loss. The slope is taken on a centred moving average of the raw
    /// loss (no lag, unlike the running average used to detect divergence), leaving out the first tenth of the sweep;
    /// null with fewer than 5 points.
    /// </summary>
    public static double? Suggest(IReadOnlyList<LearningRatePoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count < 5) return null;
        double[] centred = Centred(points.Select(p => p.Loss).ToArray(), Math.Max(1, points.Count / 20));
        int end = Array.IndexOf(centred, centred.Min());
        int start = Math.Max(0, points.Count / 10);
        if (end - start < 2) start = 0;
        if (end - start < 2) return null;
        double bestSlope = double.PositiveInfinity;
        int at = -1;
        for (int i = start; i < end; i++)
        {
            double dx = Math.Log(points[i + 1].LearningRate) - Math.Log(points[i].LearningRate);
            double slope = (centred[i + 1] - centred[i]) / dx;
            if (slope < bestSlope) { bestSlope = slope; at = i; }
        }
        return at < 0 ? null : points[at].LearningRate;
    }

    /// <summary>The mean of each value with its <paramref name="half"/> neighbours on either side (fewer at the ends).</summary>
    public static double[] Centred(double[] values, int half)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            int lo = Math.Max(0, i - half), hi = Math.Min(values.Length - 1, i + half);
            double sum = 0;
            for (int j = lo; j <= hi; j++) sum += values[j];
            result[i] = sum / (hi - lo + 1);
        }
        return result;
    }

    /// <summary>The sweep's rates as the trainer's schedule: step <c>start + k</c> runs at <c>RateAt(k)</c>.</summary>
    private sealed class SweepSchedule(LearningRateFinderOptions options, long start) : ILearningRateSchedule
    {
        public double At(long step) => options.RateAt((int)Math.Clamp(step - start, 0, options.Steps - 1));
    }

    /// <summary>Records each step's loss with its smoothed value and stops the sweep when it diverges or has every step.</summary>
    private sealed class Sweep(LearningRateFinderOptions options, CancellationTokenSource stop) : ITrainingCallback
    {
        private double _average;
        private double _best = double.PositiveInfinity;

        public List<LearningRatePoint> Points { get; } = [];

        public bool Diverged { get; set; }

        public void OnStepEnd(Trainer trainer, StepEnd end)
        {
            if (end.Loss is not double loss) return;
            int step = Points.Count;
            if (!double.IsFinite(loss))
            {
                Diverged = true;
                stop.Cancel();
                return;
            }
            _average = options.Smoothing * _average + (1 - options.Smoothing) * loss;
            double smoothed = _average / (1 - Math.Pow(options.Smoothing, step + 1));
            Points.Add(new LearningRatePoint(step, options.RateAt(step), loss, smoothed));
            _best = Math.Min(_best, smoothed);
            if (step > 0 && smoothed > options.DivergenceFactor * _best) { Diverged = true; stop.Cancel(); }
            else if (Points.Count >= options.Steps) stop.Cancel();
        }
    }
}
