# sweep: per-token decode cost against length (jamba-v0.1-div16)
# Written by hybench report.  Re-plot: cd into this folder, gnuplot model-sweep-decode.gp
set terminal svg size 820,460 noenhanced font 'Helvetica,12' background rgb 'white'
set output 'model-sweep-decode.svg'
set datafile separator '\t'
set datafile missing 'NaN'
set grid lc rgb '#d8d8d8'
set border lc rgb '#555555'
set key below left Left reverse samplen 2 spacing 1.1 maxrows 6
set title "sweep: per-token decode cost against length (jamba-v0.1-div16)"
set logscale xy
set xlabel 'length (tokens; decode: context)'
set ylabel 'ms per token'
set format x '%g'
set format y '%g'
set autoscale xfix
set offsets graph 0.05, graph 0.05, 0, 0
set xtics (256, 1024, 4096, 8192)
plot \
  'model-sweep-decode.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.7 lc rgb '#1f77b4' title "attention:Mamba 0:1", \
  'model-sweep-decode.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.7 lc rgb '#d62728' title "attention:Mamba 1:7", \
  'model-sweep-decode.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.7 lc rgb '#2ca02c' title "attention:Mamba 1:3", \
  'model-sweep-decode.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.7 lc rgb '#ff7f0e' title "attention:Mamba 1:1", \
  'model-sweep-decode.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.7 lc rgb '#9467bd' title "attention:Mamba 1:0", \
  'model-sweep-decode.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.7 lc rgb '#8c564b' title "attention:Mamba swa7:1"
