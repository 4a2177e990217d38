# conv1d: time per call against sequence length
# Written by hybench report.  Re-plot: cd into this folder, gnuplot family-conv1d-time.gp
set terminal svg size 820,460 noenhanced font 'Helvetica,12' background rgb 'white'
set output 'family-conv1d-time.svg'
set datafile separator '\t'
set datafile missing 'NaN'
set grid lc rgb '#d8d8d8'
set border lc rgb '#555555'
set key below left Left reverse samplen 2 spacing 1.1 maxrows 6
set title "conv1d: time per call against sequence length"
set logscale xy
set xlabel 'sequence length (prefill tokens / decode context)'
set ylabel 'time per call (ms)'
set format y '%g'
set format x '%g'
set autoscale xfix
set offsets graph 0.06, graph 0.06, 0, 0
set xtics (2048)
plot \
  'family-conv1d-time.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 pt 5 ps 0.8 dt 1 lc rgb '#1f77b4' title "x86  x86/direct-avx2  prefill"  , \
'family-conv1d-time.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.8 dt 1 lc rgb '#d62728' title "cpu  cpu/direct  prefill"
